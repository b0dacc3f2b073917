"""The meeting commands one by one: what they answer, what they store, how they refuse."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.app import App
from storage import paragraphs
from storage.models import Entry, Meeting, Paragraph
from tests.conftest import STOCKHOLM, Chat


def counts(app: App) -> tuple[int, int, int]:
    with app.db.transaction() as s:
        return (len(s.exec(select(Meeting)).all()), len(s.exec(select(Paragraph)).all()),
                len(s.exec(select(Entry)).all()))


def test_open_now_uses_the_message_time_in_stockholm(chat: Chat) -> None:
    chat.now = datetime(2026, 11, 24, 20, 5, tzinfo=STOCKHOLM)
    reply = chat.text("!möte öppna Kansliet")
    assert reply.startswith("Sammanträdet är öppnat: Styrelsen, tisdag 24 november 2026 "
                            "kl. 20:05, Kansliet.")
    assert "Nästa paragraf blir § 1." in reply


def test_only_one_open_meeting(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25 08:30 Kansliet")
    assert chat.text("!möte öppna") == (
        "Ett sammanträde är redan öppet (fredag 25 mars 2022). Avsluta det först med "
        "!möte avsluta.")
    assert counts(chat.app)[0] == 1


def test_beslut_without_paragraph_opens_one_titled_from_the_text(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25")
    assert chat.text("!beslut Styrelsen fastställer årsredovisningen.") == (
        "§ 1 Styrelsen fastställer årsredovisningen (ny paragraf)\n"
        "Beslut: Styrelsen fastställer årsredovisningen.")
    assert chat.text("!beslut Att lägga rapporten till handlingarna.").startswith(
        "§ 1 Styrelsen fastställer årsredovisningen\nBeslut: Att lägga")
    assert chat.text("!paragraf Övriga frågor") == "§ 2 Övriga frågor"


def test_commands_need_an_open_meeting_and_write_nothing(chat: Chat) -> None:
    for line in ("!beslut Något", "!paragraf Rubrik", "!info Text", "!yrkande Bifall",
                 "!justerare Anna", "!ångra", "!möte avsluta"):
        assert chat.text(line).startswith("Inget sammanträde är öppet. Öppna ett med "
                                          "!möte öppna"), line
    assert counts(chat.app) == (0, 0, 0)


def test_malformed_commands_explain_the_right_form(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25")
    assert chat.text("!beslut") == ("Det saknas text efter !beslut. Skriv till exempel: "
                                    "!beslut Styrelsen fastställer årsredovisningen")
    assert chat.text("!visa §x") == "”§x” är inget paragrafnummer. Skriv till exempel !visa §26."
    assert chat.text("!visa 26").startswith("Ange vilken paragraf du menar, till exempel !visa §26")
    assert chat.text("!visa §7") == ("Det finns ingen § 7 (2022). Skriv !sök <ord> för att "
                                     "hitta rätt paragraf.")
    assert chat.text("!protokoll 2022-13-45").startswith(
        "”2022-13-45” är inget datum jag kan läsa.")
    assert chat.text("!möte avsluta 25:00").startswith("”25:00” är ingen tid jag kan läsa.")
    assert chat.text("!möte paus").startswith("!möte förstår inte ”paus”. Skriv:")
    assert chat.text("!paragrafnummer tjugo") == (
        "”tjugo” är inget paragrafnummer. Skriv till exempel !paragrafnummer 22.")
    assert counts(chat.app) == (1, 0, 0)


def test_unknown_command_gets_a_suggestion_and_chat_is_ignored(chat: Chat) -> None:
    assert chat.text("!beslt Något") == (
        "Jag känner inte till kommandot !beslt.\nMenade du !beslut? Skriv !hjälp för att se "
        "alla kommandon.")
    assert chat.say("Hej allihopa, vi börjar strax!") is None
    assert chat.say("!") is None


def test_help_lists_and_explains(chat: Chat) -> None:
    overview = chat.text("!hjälp")
    assert "- !beslut: Antecknar ett beslut" in overview
    assert "- !protokoll: Skriver protokollet" in overview
    headings = [line for line in overview.splitlines()[1:] if line and not line.startswith("- ")]
    assert headings == ["Sammanträdet", "Paragrafer och beslut",
                        "Yrkanden, votering och reservation", "Läsa och söka", "Protokoll",
                        "Justering och anslag", "Uppdrag och kallelse",
                        "Påminnelser och frister", "Budget", "Rummet", "Hjälp"]
    detail = chat.text("!help paragrafnummer")
    assert detail.startswith("!paragrafnummer: Anger numret på nästa paragraf")
    assert "- !paragrafnummer 22" in detail
    assert ("Bara ordförande, vice ordförande, sekreterare och förbundschef (och i Matrix "
            "organets ledamöter som är moderatorer i rummet) får använda kommandot.") in detail
    assert chat.text("!hjälp beslutt").startswith("Jag känner inte till kommandot !beslutt.")


def test_permission_refused_for_members_without_role(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25")
    refused = ovik.text("!beslut Styrelsen beslutar något", sender="Cecilia Sparf")
    assert refused == ("Du får inte använda !beslut: bara ordförande och sekreterare i "
                       "Styrelsen får det (även vice ordförande och förbundschef, och i "
                       "Matrix organets ledamöter som är moderatorer i rummet). Be "
                       "sekreteraren göra det.")
    assert ovik.text("!beslut Styrelsen beslutar något", sender="Okänd Person").startswith(
        "Du får inte använda !beslut")
    # The chair may record, and anyone may read.
    assert ovik.text("!beslut Styrelsen beslutar något", sender="Carolina Sondell").startswith(
        "§ 1 ")
    assert ovik.text("!visa §1", sender="Cecilia Sparf").startswith("§ 1 Styrelsen beslutar")
    # Moderating the room makes nobody the config does not know a recorder.
    reply = ovik.say("!beslut Ett beslut till", sender="@mod:ovik.test", moderator=True)
    assert reply is not None and reply.text.startswith("Du får inte använda !beslut")
    assert counts(ovik.app)[2] == 1


def test_change_and_undo_are_audited(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25")
    chat.text("!paragraf Årsredovisning 2021")
    chat.text("!beslut Styrelsen fastställer årsredovisningen")
    assert chat.text("!ändra §1 Styrelsen fastställer årsredovisning 2021 enligt bilaga.") == (
        "§ 1: beslutet är ändrat.\nNu: Styrelsen fastställer årsredovisning 2021 enligt bilaga."
        "\nFörut: Styrelsen fastställer årsredovisningen")
    chat.text("!beslut Omedelbar justering av paragrafen.")
    assert chat.text("!ändra §1 Ny text").startswith("§ 1 har 2 beslut. Ange vilket")
    assert chat.text("!ändra §1 punkt 3 Ny text").startswith("§ 1 har 2 beslut, så det finns "
                                                           "ingen punkt 3.")
    chat.text("!ändra §1 punkt 2 Styrelsen beslutar om omedelbar justering av § 1.")
    assert chat.text("!ändra §1 rubrik Fastställande av årsredovisning") == (
        "§ 1 heter nu ”Fastställande av årsredovisning” (förut ”Årsredovisning 2021”).")
    assert chat.text("!ångra") == ("Ångrat i § 1: beslutet ”Styrelsen beslutar om omedelbar "
                                   "justering av § 1.” är borttaget.")
    shown = chat.text("!visa §1")
    assert "1. Styrelsen fastställer årsredovisning 2021 enligt bilaga." in shown
    assert "omedelbar" not in shown
    with chat.app.db.transaction() as s:
        trail = paragraphs.audit_trail(s, s.exec(select(Paragraph)).one().id)
    assert [a.action for a in trail] == [
        "§ skapad", "beslut tillagd", "beslut ändrad", "beslut tillagd", "beslut ändrad",
        "rubrik ändrad", "beslut ångrad"]
    changed = trail[2]
    assert changed.old_text == "Styrelsen fastställer årsredovisningen"
    assert changed.new_text == "Styrelsen fastställer årsredovisning 2021 enligt bilaga."
    assert changed.actor == "Sekreteraren" and changed.source_event_id
    assert changed.at.tzinfo is not None


def test_undo_removes_only_the_senders_own_last_entry(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25")
    ovik.text("!paragraf Övriga frågor")
    ovik.text("!beslut Pärs beslut")
    ovik.text("!beslut Carolinas beslut", sender="Carolina Sondell")
    assert ovik.text("!ångra") == "Ångrat i § 1: beslutet ”Pärs beslut” är borttaget."
    # Pär's § now holds Carolina's decision, so it stays.
    assert ovik.text("!ångra") == "Du har inget att ångra i det öppna sammanträdet."
    with ovik.app.db.transaction() as s:
        live = [e.text for e in s.exec(select(Entry).where(Entry.removed_at.is_(None))).all()]
    assert live == ["Carolinas beslut"]


def test_empty_last_paragraph_can_be_undone_without_a_gap(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25")
    chat.text("!paragraf Sammanträdet öppnas")
    chat.text("!paragraf Felskriven rubrik")
    assert chat.text("!ångra") == "Ångrat: § 2 Felskriven rubrik är borttagen."
    assert chat.text("!paragraf Val av justerare") == "§ 2 Val av justerare"


def test_paragrafnummer_refuses_collisions(chat: Chat) -> None:
    chat.now = datetime(2022, 3, 1, 9, 0, tzinfo=STOCKHOLM)
    assert chat.text("!paragrafnummer 22") == "Nästa paragraf blir § 22 (2022)."
    chat.text("!möte öppna 2022-03-25")
    chat.text("!paragraf A")
    chat.text("!paragraf B")
    assert chat.text("!paragrafnummer 23") == (
        "§ 23 går inte: § 23 finns redan (2022). Välj ett nummer över 23, till exempel "
        "!paragrafnummer 24.")
    assert chat.text("!paragrafnummer 40") == "Nästa paragraf blir § 40 (2022)."
    assert chat.text("!paragrafnummer 5 2023") == "Nästa paragraf blir § 5 (2023)."
    assert chat.text("!paragrafnummer 5 nästa") == (
        "”nästa” är inget år. Skriv till exempel !paragrafnummer 22 2022.")
    assert chat.text("!visa §1 förra").startswith("Jag förstår inte ”förra” efter !visa.")
    assert chat.text("!paragraf C") == "§ 40 C"


def test_search_ignores_case_and_keeps_swedish_letters(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25")
    chat.text("!beslut Styrelsen fastställer Årsredovisning 2021")
    chat.text("!beslut Styrelsen uppdrog till förbundschefen att undersöka ESF-medel")
    assert chat.text("!sök årsredovisning").startswith("1 träff på ”årsredovisning”:\n- § 1 "
                                                      "(2022-03-25)")
    assert "ESF-medel" in chat.text("!sök uppdrog esf")
    assert chat.text("!sök 100%_").startswith(
        "Inga beslut, yrkanden, reservationer eller protokollsanteckningar innehåller ”100%_”.")


def test_attendance_sorts_people_by_their_role(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25")
    reply = ovik.text("!närvaro Carolina Sondell, Cecilia Sparf, Johnny Eriksson, Pär Eriksson "
                      "och Lena Finne Jansson")
    assert "Beslutande: Carolina Sondell ÖK ordförande, Cecilia Sparf AF" in reply
    assert ("Övriga deltagare: Johnny Eriksson RVN ersättare, Pär Eriksson förbundschef, "
            "Lena Finne Jansson") in reply
    reply = ovik.text("!närvaro beslutande: Johnny Eriksson")  # tjänstgörande ersättare
    assert "Beslutande: Carolina Sondell ÖK ordförande, Cecilia Sparf AF, Johnny Eriksson RVN " \
           "ersättare" in reply
    assert "Övriga deltagare: Pär Eriksson förbundschef, Lena Finne Jansson" in reply
    reply = ovik.text("!närvaro ta bort Lena Finne Jansson")
    assert reply.splitlines() == [
        "Lena Finne Jansson är borttagen ur närvaron.",
        "Beslutande: Carolina Sondell ÖK ordförande, Cecilia Sparf AF, Johnny Eriksson RVN "
        "ersättare",
        "Övriga deltagare: Pär Eriksson förbundschef"]


def test_meeting_numbering_restarts_every_meeting(db_url: str) -> None:
    from bot.config import default_config
    from tests.conftest import make_app

    config = default_config()
    config.forbund[0].organs[0].numbering = "möte"
    app = make_app(config, db_url)
    chat = Chat(app)
    chat.text("!möte öppna 2020-02-14 09:00")
    for title in ("Öppnande", "Justerare", "Dagordning"):
        chat.text(f"!paragraf {title}")
    chat.text("!möte avsluta 12:00")
    chat.text("!möte öppna 2020-03-20 09:00")
    assert chat.text("!paragraf Öppnande") == "§ 1 Öppnande"
    assert chat.text("!visa 2020-02-14 §3").startswith("§ 3 Dagordning")
    assert chat.text("!visa §1").startswith("§ 1 Öppnande\nSammanträdet fredag 20 mars 2020")
    app.close()


def test_a_display_name_alone_gives_no_role(ovik: Chat) -> None:
    import uuid

    from bot.messages import IncomingMessage

    ovik.text("!möte öppna 2022-03-25")
    spoof = IncomingMessage(transport="console", room_id="console", sender_id="@mallory:evil.test",
                            sender_name="Carolina Sondell", text="!beslut Falskt beslut",
                            event_id=uuid.uuid4().hex, timestamp=ovik.now)
    reply = ovik.app.dispatcher.handle_sync(spoof)
    assert reply is not None and reply.text.startswith("Du får inte använda !beslut")
    real = IncomingMessage(transport="console", room_id="console", sender_id="@carolina:ovik.test",
                           sender_name="Carro", text="!beslut Riktigt beslut",
                           event_id=uuid.uuid4().hex, timestamp=ovik.now)
    reply = ovik.app.dispatcher.handle_sync(real)
    assert reply is not None and reply.text.startswith("§ 1 Riktigt beslut")


def test_swedish_genitive_of_organ_names() -> None:
    from bot.swedish import genitive

    assert [genitive(n) for n in ("Styrelsen", "LSG", "Lokala samverkansgruppen",
                                  "Beredningsgruppen", "Arbetsutskott 2", "Förbundets råd",
                                  "Finsam-rådet Vux")] == [
        "Styrelsens", "LSG:s", "Lokala samverkansgruppens", "Beredningsgruppens",
        "Arbetsutskott 2:s", "Förbundets råds", "Finsam-rådet Vux"]
