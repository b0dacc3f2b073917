"""The förbund's seal on a justerat protokoll: a PAdES signature (pyHanko) with the
förbund's certificate, and the check of a sealed PDF (`bot verifiera`).

The certificate is the PKCS#12 file of the config (`[[forbund]] sigill`, password in
BOT_SIGILL_PASSWORD_<KEY>), or else a self-signed one the bot makes at the first justering
and keeps in the database. The seal certifies the document (no later change is allowed),
and its signed attributes carry the justering records as JSON (JUSTERING_OID), so anyone
holding the file can see who justerade, from which chat account and when. pyHanko and
cryptography are imported only when a seal is made or checked."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import json
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bot.config import sigill_password, sigill_password_env
from storage import sigill
from storage.tenants import OrganRef

# A UUID-based object identifier (ITU-T X.667, arc 2.25): needs no registration.
JUSTERING_OID = "2.25.308761066789330003644776478687974754010"
FIELD_NAME = "Sigill"
SELF_SIGNED_YEARS = 20


class SealError(Exception):
    """The seal could not be made (certificate file, password, PDF)."""


@dataclass(frozen=True)
class Sealer:
    """Key and certificate to seal with; `subject` names the holder (for the record)."""

    certificate_der: bytes
    key_der: bytes  # PKCS#8
    chain_der: tuple[bytes, ...] = ()
    subject: str = ""


@dataclass
class Verification:
    """What a PDF's seal says. `sealed`: it has one; `intact`: the sealed bytes are
    unchanged and the signature is the certificate's; `whole_file`: nothing was added after
    the seal; `unchanged` is both."""

    sealed: bool
    intact: bool = False
    whole_file: bool = False
    sealer: str = ""
    organisation: str = ""
    issuer: str = ""
    self_signed: bool = False
    at: datetime | None = None
    reason: str = ""
    records: dict[str, Any] = field(default_factory=dict)
    readable: bool = True

    @property
    def unchanged(self) -> bool:
        return self.sealed and self.intact and self.whole_file


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run pyHanko's async API from synchronous code, also when the calling thread already
    runs an event loop (then in a thread of its own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# --- certificates -----------------------------------------------------------------------


def sealer_for(session: Session, organ: OrganRef, now: datetime) -> Sealer:
    """The förbund's certificate: the configured file, else the self-signed one kept in the
    database (made now if there is none yet)."""
    row = sigill.sigill_of(session, organ.forbund_id)
    if row is not None and row.configured_path:
        return _from_pkcs12(Path(row.configured_path), organ.forbund_key)
    if row is None or not row.certificate_pem:
        certificate_pem, key_pem = self_signed(organ.forbund_name, now)
        row = sigill.save_self_signed(session, organ.forbund_id, certificate_pem, key_pem,
                                      now)
    try:
        return _from_pem(row.certificate_pem, row.key_pem)
    except (ValueError, TypeError) as error:  # a damaged row: never a failed justering
        raise SealError(f"the kept certificate cannot be read: {error}") from error


def self_signed(holder: str, now: datetime) -> tuple[str, str]:
    """A certificate for sealing in the förbund's name (ECDSA P-256), PEM: certificate and
    unencrypted key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, holder[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, holder[:64]),
    ])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * SELF_SIGNED_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256()))
    return (certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode("ascii"))


def _from_pem(certificate_pem: str, key_pem: str) -> Sealer:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    return _sealer(certificate, key, [])


def _from_pkcs12(path: Path, forbund_key: str) -> Sealer:
    from cryptography.hazmat.primitives.serialization import pkcs12

    password = sigill_password(forbund_key)
    if password is None:
        raise SealError(f"{sigill_password_env(forbund_key)} is not set")
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(),
                                                                   password.encode())
    except (OSError, ValueError) as error:
        raise SealError(f"cannot open {path}: {error}") from error
    if key is None or certificate is None:
        raise SealError(f"{path} holds no key and certificate")
    return _sealer(certificate, key, chain)


def _sealer(certificate: Any, key: Any, chain: list[Any]) -> Sealer:
    from cryptography.hazmat.primitives import serialization

    der = serialization.Encoding.DER
    return Sealer(
        certificate_der=certificate.public_bytes(der),
        key_der=key.private_bytes(der, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()),
        chain_der=tuple(c.public_bytes(der) for c in chain),
        subject=certificate.subject.rfc4514_string())


# --- sealing ----------------------------------------------------------------------------


def _register_attribute() -> None:
    """Teach asn1crypto that the justering attribute holds UTF-8 text."""
    from asn1crypto import cms, core

    class SetOfUTF8String(core.SetOf):
        _child_spec = core.UTF8String

    cms.CMSAttribute._oid_specs.setdefault(JUSTERING_OID, SetOfUTF8String)


def seal(pdf: bytes, sealer: Sealer, *, reason: str, records: str, at: datetime) -> bytes:
    """The PDF certified with the sealer's key (PAdES baseline B, no change permitted);
    `records` (JSON) goes into the signed attributes, `at` is the signing time."""
    from asn1crypto import core, keys, x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.attributes import CMSAttributeProvider, SignedAttributeProviderSpec
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    _register_attribute()

    class RecordsProvider(CMSAttributeProvider):
        attribute_type = JUSTERING_OID

        async def build_attr_value(self, dry_run: bool = False) -> Any:
            return core.UTF8String(records)

    class WithRecords(SignedAttributeProviderSpec):
        def __init__(self, base: SignedAttributeProviderSpec) -> None:
            self.base = base

        def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str) -> Any:
            yield from self.base.signed_attr_providers(data_digest, digest_algorithm)
            yield RecordsProvider()

    class JusteringSigner(signers.SimpleSigner):
        def _signed_attr_provider_spec(self, *args: Any, **kwargs: Any) -> Any:
            return WithRecords(super()._signed_attr_provider_spec(*args, **kwargs))

    class TimedPdfSigner(signers.PdfSigner):
        """The signing time is the request's clock, not pyHanko's own."""

        def init_signing_session(self, *args: Any, **kwargs: Any) -> Any:
            session = super().init_signing_session(*args, **kwargs)
            session.system_time = at
            return session

    certificate = x509.Certificate.load(sealer.certificate_der)
    signer = JusteringSigner(
        signing_cert=certificate, signing_key=keys.PrivateKeyInfo.load(sealer.key_der),
        cert_registry=SimpleCertificateStore.from_certs(
            [certificate, *(x509.Certificate.load(c) for c in sealer.chain_der)]))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", reason=reason[:1000],
        name=certificate.subject.native.get("common_name", ""),
        subfilter=fields.SigSeedSubFilter.PADES, certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        output = _run(TimedPdfSigner(meta, signer).async_sign_pdf(writer))
    except Exception as error:  # pyHanko raises many kinds; the caller logs it
        raise SealError(str(error)) from error
    return output.getvalue()


# --- checking ---------------------------------------------------------------------------


def verify(pdf: bytes) -> Verification:
    """Check the seal of a PDF: present, intact, covering the whole file; who sealed it,
    when, and the justering records it carries."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _register_attribute()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        found = reader.embedded_signatures
    except Exception:  # not a PDF, or damaged beyond reading
        return Verification(sealed=False, readable=False)
    if not found:
        return Verification(sealed=False)
    embedded = found[0]
    certificate = embedded.signer_cert
    result = _describe(embedded, certificate)
    try:
        context = ValidationContext(trust_roots=[certificate], allow_fetching=False)
        # No diff analysis: whether anything at all was added after the seal is what
        # counts here (the coverage), not whether the addition would be permitted.
        status = _run(async_validate_pdf_signature(embedded, context, skip_diff=True))
    except Exception:  # the signature or the file around it is broken: not intact
        return result
    result.intact = bool(status.intact and status.valid)
    result.whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return result


def _describe(embedded: Any, certificate: Any) -> Verification:
    subject, issuer = certificate.subject.native, certificate.issuer.native
    reason = embedded.sig_object.get("/Reason")
    return Verification(
        sealed=True, sealer=subject.get("common_name", ""),
        organisation=subject.get("organization_name", ""),
        issuer=issuer.get("common_name", "") or issuer.get("organization_name", ""),
        self_signed=certificate.self_signed != "no", at=embedded.self_reported_timestamp,
        reason=str(reason) if reason is not None else "", records=_records_of(embedded))


def _records_of(embedded: Any) -> dict[str, Any]:
    for attribute in embedded.signer_info["signed_attrs"]:
        if attribute["type"].dotted == JUSTERING_OID:
            try:
                return json.loads(attribute["values"][0].native)
            except (ValueError, TypeError):
                return {}
    return {}
