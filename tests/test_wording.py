"""Issue 17, "Words": replies read by someone who writes Swedish protokoll for a living.
Each test asserts the whole sentence the user sees."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from bot import swedish
from bot.render import render
from tests.budget_support import plain
from tests.conftest import STOCKHOLM, Chat
from tests.reminders_support import reminder_app


def test_dates_in_running_text() -> None:
    assert swedish.day_month_year(date(2021, 5, 1)) == "1 maj 2021"
    assert swedish.definite_date(date(2022, 4, 6)) == "onsdagen den 6 april 2022"
    assert swedish.long_date(date(2022, 4, 6)) == "onsdag 6 april 2022"


def test_no_meeting_on_a_day_says_onsdagen_den(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25 08:30")
    chat.text("!paragraf Mötets öppnande")
    assert chat.text("!visa 2022-04-06 §1") == (
        "Det finns inget sammanträde onsdagen den 6 april 2022. Skriv !protokoll senaste för "
        "det senaste.")


def test_a_share_is_never_100_percent_while_money_is_left() -> None:
    assert swedish.percent(999_000, 1_000_000) == "99,9 %"
    assert swedish.percent(999_999, 1_000_000) == "99,9 %"
    assert swedish.percent(1_000_000, 1_000_000) == "100 %"
    assert swedish.percent(1_000_400, 1_000_000) == "100,1 %"
    assert swedish.percent(1, 1_000_000) == "0,1 %"
    assert swedish.percent(0, 1_000_000) == "0 %"
    assert swedish.percent(762, 1_000) == "76 %"
    assert swedish.percent(5, 0) == "–"


def test_budget_reply_shows_99_9_percent(ovik: Chat) -> None:
    ovik.text("!insats ny Vidare Vy")
    ovik.text("!möte öppna 2022-03-25 08:30")
    ovik.text("!paragraf Medel till insatser")
    ovik.text("!bevilja Vidare Vy 1 000 000 2022")
    booked = plain(ovik.text("!utfall Vidare Vy 999 000 2022-03-01 Faktura"))
    assert booked.splitlines() == [
        "Utfall bokfört: Vidare Vy 999 000 kr per den 1 mars 2022 (Faktura).",
        "Vidare Vy 2022: beviljat 1 000 000 kr, utfall 999 000 kr (99,9 %), kvar 1 000 kr."]
    assert "- Utfall: 999 000 kr (99,9 % av beviljat)" in plain(ovik.text("!budget Vidare Vy"))


def test_bevilja_is_the_grant_and_anslag_its_synonym(ovik: Chat) -> None:
    help_text = ovik.text("!hjälp bevilja")
    assert help_text.splitlines()[0] == (
        "!bevilja: Beviljar en insats medel: beslutet i aktuell paragraf och det beviljade "
        "beloppet i budgeten.")
    assert "- !bevilja <insats> <belopp> [år]" in help_text.splitlines()
    assert "Andra namn: !anslag, !grant" in help_text.splitlines()
    assert "uppsatt" not in help_text and "anslagstavla" not in help_text
    assert ovik.text("!hjälp anslag") == help_text
    ovik.text("!insats ny Vidare Vy")
    ovik.text("!möte öppna 2022-03-25 08:30")
    ovik.text("!paragraf Medel till insatser")
    granted = plain(ovik.text("!bevilja Vidare Vy 455 000 2022"))
    assert granted.splitlines()[1:] == [
        "Beslut: Styrelsen beviljar Vidare Vy 455 000 kr för 2022.",
        "Vidare Vy 2022: beviljat 455 000 kr, utfall 0 kr, kvar 455 000 kr."]
    synonym = plain(ovik.text("!anslag Vidare Vy 45 000 2022"))
    assert synonym.splitlines()[1:] == [
        "Beslut: Styrelsen beviljar Vidare Vy 45 000 kr för 2022.",
        "Vidare Vy 2022: beviljat 500 000 kr, utfall 0 kr, kvar 500 000 kr."]
    assert plain(ovik.text("!bevilja Vidare Vy")) == (
        "Ange insats och belopp, till exempel !bevilja Vidare Vy 455 000 2022.")


def test_motion_is_no_name_for_yrkande(chat: Chat) -> None:
    assert chat.text("!motion Avslag").splitlines()[0] == "Jag känner inte till kommandot !motion."
    assert "Andra namn: !yrka" in chat.text("!hjälp yrkande").splitlines()


def test_closing_the_meeting_points_to_protokoll_klart(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25 08:30")
    chat.text("!paragraf Mötets öppnande")
    assert chat.text("!möte avsluta 11:30") == (
        "Sammanträdet fredag 25 mars 2022 är avslutat kl. 11:30 med 1 paragraf (§ 1).\n"
        "Nästa steg: !protokoll klart skickar protokollet till justering (!protokoll visar "
        "utkastet först).")


def test_narvaro_without_names_and_removal_say_what_happened(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25 08:30")
    assert chat.text("!närvaro") == (
        "Närvaron hittills:\nBeslutande: inga ännu\nÖvriga deltagare: inga")
    chat.text("!närvaro beslutande: Anna Andersson, Bo Berg")
    assert chat.text("!närvaro ta bort Bo Berg, Cilla Ek") == (
        "Bo Berg är borttagen ur närvaron.\nCilla Ek fanns inte i närvaron.\n"
        "Beslutande: Anna Andersson\nÖvriga deltagare: inga")
    chat.text("!närvaro beslutande: Bo Berg, Cilla Ek")
    assert chat.text("!närvaro ta bort Bo Berg och Cilla Ek").splitlines()[0] == (
        "Bo Berg och Cilla Ek är borttagna ur närvaron.")


def _kallelse_line(chat: Chat) -> str:
    reply = chat.text("!kallelse 2022-05-20 09:00 Stadshuset")
    return next(line for line in reply.splitlines() if "uppdrag" in line)


def test_one_open_uppdrag_in_the_kallelse(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25 08:30")
    ovik.text("!paragraf Uppföljning")
    ovik.text("!beslut Styrelsen uppdrar till förbundschefen att ta fram en plan.")
    ovik.text("!möte avsluta 11:30")
    assert _kallelse_line(ovik) == "1 öppet uppdrag står med i kallelsen (!uppdrag visar det)."
    ovik.now = datetime(2022, 3, 28, 9, 0, tzinfo=STOCKHOLM)
    ovik.text("!möte öppna 2022-03-28 09:00")
    ovik.text("!paragraf Uppföljning")
    ovik.text("!beslut Styrelsen uppdrar till förbundschefen att bjuda in revisorn.")
    ovik.text("!möte avsluta 10:00")
    assert _kallelse_line(ovik) == "2 öppna uppdrag står med i kallelsen (!uppdrag visar dem)."


def test_a_holiday_is_written_in_lower_case(db_url: str) -> None:
    app = reminder_app(db_url, frister={"arsredovisning": {"datum": "04-05"}})
    try:
        chat = Chat(app, sender="Pär Eriksson")
        chat.now = datetime(2026, 1, 10, 9, 0, tzinfo=STOCKHOLM)
        assert ("- Årsredovisningen fastställs: före söndag 5 april 2026 (påskdagen; sista "
                "arbetsdagen före är torsdag 2 april 2026). Styrelsen fastställer "
                "årsredovisningen för 2025. Om 85 dagar.") in \
            chat.text("!frister 2026").splitlines()
    finally:
        app.close()


def test_a_name_ending_in_s_takes_no_extra_s(db_url: str) -> None:
    app = reminder_app(db_url)
    try:
        chat = Chat(app, sender="Cecilia Sparf")
        chat.now = datetime(2026, 12, 3, 14, 0, tzinfo=STOCKHOLM)
        rid = int(chat.text("!påminn mig i morgon kl 9 Ring revisorn", sender="Lars Fors")
                  .split()[1])
        assert chat.text(f"!påminn ta bort {rid}", sender="Kalle") == (
            f"Påminnelse {rid} är Lars Fors egen. Bara Lars Fors eller sekreteraren kan ta "
            "bort den.")
    finally:
        app.close()


def test_an_overdue_uppdrag_should_have_been_done() -> None:
    u = SimpleNamespace(
        number=3, uppdrag=SimpleNamespace(due_on=date(2022, 5, 20), assignee="förbundschefen",
                                          task="ta fram en plan"),
        paragraph=SimpleNamespace(number=28), meeting=SimpleNamespace(date=date(2022, 3, 25)))
    organ = SimpleNamespace(organ_name="Styrelsen")

    def first(today: date) -> str:
        return render("uppdrag", "påminnelse", organ=organ, u=u, idag=today).text.splitlines()[0]

    assert first(date(2022, 5, 23)) == (
        "Påminnelse från Styrelsen: uppdrag 3 skulle ha varit klart senast fredag 20 maj 2022 "
        "och är försenat.")
    assert first(date(2022, 5, 20)) == (
        "Påminnelse från Styrelsen: uppdrag 3 ska vara klart i dag, fredag 20 maj 2022.")
    assert first(date(2022, 5, 13)) == (
        "Påminnelse från Styrelsen: uppdrag 3 ska vara klart senast fredag 20 maj 2022.")
