"""Issue 15, the seal: a justerat protokoll's PDF is sealed with the förbund's certificate
(PAdES), `bot verifiera` says who sealed it, when, and whether the file is unchanged, and a
PDF edited afterwards fails. Without a configured certificate a self-signed one is made."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.app import App
from bot.cli import main
from bot.commands.protokoll import build as protocol
from bot.commands.protokoll import seal
from bot.config import ConfigError, load_config
from tests.conftest import FIXTURES, Chat, make_app
from tests.justering_support import CAROLINA, at, attachment, replay_meeting

PASSWORD_ENV = "BOT_SIGILL_PASSWORD_ORNSKOLDSVIK"


def justera(chat: Chat) -> tuple[bytes, bytes]:
    """The seed meeting justerat on 2022-04-06 at 10:12; the draft's and the justerat PDF."""
    replay_meeting(chat, until="!protokoll")
    chat.now = at(2022, 3, 28, 10, 0)
    draft = chat.say("!protokoll klart")
    chat.now = at(2022, 4, 5, 16, 0)
    chat.text("!justera", sender="Cecilia Sparf")
    chat.now = at(2022, 4, 6, 10, 12)
    done = chat.say("!justera", sender=CAROLINA)
    assert draft is not None and done is not None
    return attachment(draft, ".pdf"), attachment(done, ".pdf")


def the_sealed_pdf(app: App) -> bytes | None:
    from storage import meetings, tenants

    with app.db.transaction() as session:
        organ = tenants.first_organ(session)
        (meeting,) = meetings.meetings_on(session, organ.organ_id, date(2022, 3, 25))
        return protocol.sealed_pdf(session, organ, meeting)


def edit_one_byte(data: bytes) -> bytes:
    """Change one letter of the document's title (inside the sealed bytes)."""
    where = data.index(b"(Protokoll Samordningsf") + 1
    return data[:where] + b"p" + data[where + 1:]


def verifiera(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verifiera", str(path)])
    return code, capsys.readouterr().out


def test_justerat_protokoll_is_sealed_and_verifiera_tells_who_when_and_unchanged(
        ovik: Chat, ovik_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft, done = justera(ovik)
    checked = seal.verify(done)
    assert checked.unchanged and checked.self_signed
    assert checked.sealer == "Samordningsförbundet i Örnsköldsvik"
    assert checked.at == at(2022, 4, 6, 10, 12)
    # The justering records are in the seal's signed attributes.
    assert checked.records["justering"] == [
        # The console's "account" is the typed name itself: no konto is recorded.
        {"namn": "Cecilia Sparf", "funktion": "justerare", "tid": "2022-04-05T16:00:00+02:00"},
        {"namn": "Carolina Sondell", "funktion": "ordförande", "konto": "@carolina:ovik.test",
         "tid": "2022-04-06T10:12:00+02:00"}]
    assert checked.records["paragrafer"] == "22–30"
    assert checked.reason == (
        "Justerat protokoll, Styrelsen 2022-03-25. Justerat av Cecilia Sparf (justerare) "
        "tisdag 5 april 2022 kl. 16:00 och Carolina Sondell (ordförande, konto "
        "@carolina:ovik.test) onsdag 6 april 2022 kl. 10:12.")
    assert "22–30" in PdfReader(io.BytesIO(done)).pages[0].extract_text()

    # The same bytes however it is asked for: the reply, !protokoll, the web's link.
    assert the_sealed_pdf(ovik_app) == done
    assert attachment(ovik.say("!protokoll 2022-03-25"), ".pdf") == done
    assert the_sealed_pdf(ovik_app) == done

    sealed = tmp_path / "protokoll-styrelsen-2022-03-25.pdf"
    sealed.write_bytes(done)
    code, out = verifiera(sealed, capsys)
    assert code == 0
    assert out.splitlines() == [
        "protokoll-styrelsen-2022-03-25.pdf",
        "Förseglat av: Samordningsförbundet i Örnsköldsvik",
        "Certifikat: självsignerat av boten (ingen utfärdare intygar vem som äger det)",
        "Förseglat: onsdag 6 april 2022 kl. 10:12",
        "Filen är oförändrad sedan förseglingen.",
        "Justerat enligt sigillet:",
        "- Cecilia Sparf (justerare) tisdag 5 april 2022 kl. 16:00",
        "- Carolina Sondell (ordförande) onsdag 6 april 2022 kl. 10:12 från kontot "
        "@carolina:ovik.test"]

    edited = tmp_path / "ändrad.pdf"
    edited.write_bytes(edit_one_byte(done))
    assert not seal.verify(edited.read_bytes()).unchanged
    code, out = verifiera(edited, capsys)
    assert code == 1
    assert "Förseglat av: Samordningsförbundet i Örnsköldsvik" in out
    assert "Filen är ändrad efter förseglingen: sigillet stämmer inte med innehållet." in out
    assert "oförändrad" not in out

    # Something added after the seal (an incremental update) is a change too.
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(done))
    writer.root["/PageMode"] = generic.NameObject("/UseOutlines")
    writer.update_root()
    appended = io.BytesIO()
    writer.write(appended)
    added = tmp_path / "tillägg.pdf"
    added.write_bytes(appended.getvalue())
    code, out = verifiera(added, capsys)
    assert code == 1 and "Filen är ändrad efter förseglingen: något har lagts till efter " \
        "sigillet." in out

    unsealed = tmp_path / "utkast.pdf"
    unsealed.write_bytes(draft)
    assert verifiera(unsealed, capsys) == (1, "utkast.pdf har inget sigill.\n")
    assert verifiera(tmp_path / "saknas.pdf", capsys) == (
        2, f"Filen {tmp_path / 'saknas.pdf'} finns inte eller går inte att läsa.\n")


def test_one_self_signed_certificate_per_forbund_kept_in_the_database(ovik: Chat,
                                                                       ovik_app: App) -> None:
    from storage import sigill, tenants

    with ovik_app.db.transaction() as session:
        forbund_id = tenants.first_organ(session).forbund_id
        assert sigill.sigill_of(session, forbund_id) is None  # none before the first justering
    _, done = justera(ovik)
    with ovik_app.db.transaction() as session:
        kept = sigill.sigill_of(session, forbund_id)
        assert kept is not None and kept.certificate_pem.startswith("-----BEGIN CERTIFICATE")
        assert "PRIVATE KEY" in kept.key_pem and kept.configured_path == ""
        certificate = kept.certificate_pem
    # A second protokoll of the förbund is sealed with the same certificate.
    ovik.now = at(2022, 5, 20, 9, 0)
    for line in ("!möte öppna 2022-05-20 09:00 Stadshuset", "!närvaro Carolina Sondell",
                 "!justerare Cecilia Sparf", "!paragraf Sammanträdet öppnas", "!möte avsluta"):
        ovik.text(line)
    ovik.text("!protokoll klart")
    ovik.text("!justera", sender="Cecilia Sparf")
    second = attachment(ovik.say("!justera", sender=CAROLINA), ".pdf")
    with ovik_app.db.transaction() as session:
        assert sigill.sigill_of(session, forbund_id).certificate_pem == certificate
    assert seal.verify(second).unchanged
    assert seal.verify(second).records["sammanträdesdatum"] == "2022-05-20"
    assert seal.verify(done).records["sammanträdesdatum"] == "2022-03-25"


def test_moving_the_anslag_seals_the_new_bevis_once(ovik: Chat, ovik_app: App) -> None:
    from storage import meetings, sigill, tenants

    _, done = justera(ovik)
    ovik.now = at(2022, 4, 8, 9, 0)
    ovik.text("!anslagstavla uppsatt 2022-04-08")
    moved = attachment(ovik.say("!protokoll 2022-03-25"), ".pdf")
    assert moved != done
    assert "2022-04-08 (fredag 8 april 2022)" in PdfReader(io.BytesIO(moved)).pages[0] \
        .extract_text()
    checked = seal.verify(moved)
    assert checked.unchanged and checked.at == at(2022, 4, 8, 9, 0)
    ovik.now = at(2022, 4, 9, 9, 0)  # asked again later: the same file, no new seal
    assert attachment(ovik.say("!protokoll 2022-03-25"), ".pdf") == moved
    assert the_sealed_pdf(ovik_app) == moved
    with ovik_app.db.transaction() as session:
        organ = tenants.first_organ(session)
        (meeting,) = meetings.meetings_on(session, organ.organ_id, date(2022, 3, 25))
        assert [v.pdf for v in sigill.sealed_versions(session, meeting.id)] == [done, moved]


def test_no_sealed_pdf_before_justering(ovik: Chat, ovik_app: App) -> None:
    replay_meeting(ovik)
    assert the_sealed_pdf(ovik_app) is None
    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")
    assert the_sealed_pdf(ovik_app) is None


# --- a certificate of the förbund's own -------------------------------------------------


def certificate_files(folder: Path, password: str) -> Path:
    """A PKCS#12 file as a qualified provider would issue: the förbund's e-seal, signed by
    a (test) issuer whose certificate comes along."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = datetime(2022, 1, 1, tzinfo=UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, common),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    issuer_key = rsa.generate_private_key(65537, 2048)
    issuer = (x509.CertificateBuilder().subject_name(name("Testutfärdare e-sigill"))
              .issuer_name(name("Testutfärdare e-sigill")).public_key(issuer_key.public_key())
              .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=3650))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .sign(issuer_key, hashes.SHA256()))
    key = rsa.generate_private_key(65537, 2048)
    leaf = (x509.CertificateBuilder().subject_name(name("Samordningsförbundet i Örnsköldsvik"))
            .issuer_name(issuer.subject).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(issuer_key, hashes.SHA256()))
    path = folder / "sigill.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"sigill", key, leaf, [issuer],
        serialization.BestAvailableEncryption(password.encode())))
    return path


def config_with_sigill(folder: Path, sigill: str = "sigill.p12",
                       name: str = "config.toml") -> Path:
    text = (FIXTURES / "ornskoldsvik.toml").read_text(encoding="utf-8")
    text = text.replace('archive_location = "Samordningsförbundets kansli"\n',
                        f'archive_location = "Samordningsförbundets kansli"\nsigill = "{sigill}"\n')
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def sealed_app(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    monkeypatch.setenv(PASSWORD_ENV, "hemligt lösen")
    certificate_files(tmp_path, "hemligt lösen")
    application = make_app(load_config(config_with_sigill(tmp_path)), db_url)
    yield application
    application.close()


def test_the_configured_certificate_seals(sealed_app: App) -> None:
    from storage import sigill, tenants

    _, done = justera(Chat(sealed_app, sender="Pär Eriksson"))
    checked = seal.verify(done)
    assert checked.unchanged and not checked.self_signed
    assert (checked.sealer, checked.issuer) == ("Samordningsförbundet i Örnsköldsvik",
                                                "Testutfärdare e-sigill")
    with sealed_app.db.transaction() as session:
        kept = sigill.sigill_of(session, tenants.first_organ(session).forbund_id)
        assert kept.configured_path.endswith("sigill.p12") and kept.certificate_pem == ""


def test_a_seal_that_cannot_be_made_does_not_stop_the_justering(
        sealed_app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    chat = Chat(sealed_app, sender="Pär Eriksson")
    monkeypatch.delenv(PASSWORD_ENV)  # gone after the start
    with caplog.at_level(logging.ERROR, logger="bot.commands.protokoll.build"):
        _, done = justera(chat)
    assert "är justerat av Cecilia Sparf och Carolina Sondell" in chat.replies[-1].text
    assert not seal.verify(done).sealed
    assert "could not seal the protokoll" in caplog.text
    monkeypatch.setenv(PASSWORD_ENV, "hemligt lösen")
    chat.now = at(2022, 4, 7, 8, 0)
    again = attachment(chat.say("!protokoll 2022-03-25"), ".pdf")
    assert seal.verify(again).unchanged and seal.verify(again).at == at(2022, 4, 7, 8, 0)


def test_the_certificate_file_and_password_are_checked_at_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    certificate_files(tmp_path, "rätt")
    config = config_with_sigill(tmp_path)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert str(error.value) == (f"Fel i {config}: nyckeln forbund[0].sigill kräver lösenordet i "
                                f"miljövariabeln {PASSWORD_ENV}.")
    monkeypatch.setenv(PASSWORD_ENV, "fel")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert f"går inte att öppna med lösenordet i {PASSWORD_ENV}" in str(error.value)
    with pytest.raises(ConfigError) as error:
        load_config(config_with_sigill(tmp_path, "saknas.p12", "annan.toml"))
    assert f"pekar på {tmp_path / 'saknas.p12'}, som inte går att läsa" in str(error.value)
    monkeypatch.setenv(PASSWORD_ENV, "rätt")
    assert load_config(config).forbund[0].sigill == str((tmp_path / "sigill.p12").resolve())


def test_a_second_self_signed_certificate_never_replaces_the_first(ovik_app: App) -> None:
    """Two first justeringar at once each make a certificate; the one kept first is used by
    both (the other is dropped), so the förbund seals with one certificate only."""
    from storage import sigill, tenants

    now = datetime(2022, 4, 6, tzinfo=UTC)
    first, second, third = (seal.self_signed("Förbundet", now) for _ in range(3))
    with ovik_app.db.transaction() as session:
        forbund_id = tenants.first_organ(session).forbund_id
        kept = sigill.save_self_signed(session, forbund_id, *first, now)  # a new row
        assert sigill.save_self_signed(session, forbund_id, *second, now).certificate_pem == \
            kept.certificate_pem == first[0]
        # A förbund whose config had a file once: the row is there, without a certificate.
        session.delete(kept)
        session.flush()
        sigill.set_configured_path(session, forbund_id, "/etc/sigill.p12")
        sigill.set_configured_path(session, forbund_id, "")
        assert sigill.sigill_of(session, forbund_id).certificate_pem == ""
        assert sigill.save_self_signed(session, forbund_id, *second, now).certificate_pem == \
            second[0]
    with ovik_app.db.transaction() as session:
        assert sigill.save_self_signed(session, forbund_id, *third, now).certificate_pem == \
            second[0]
