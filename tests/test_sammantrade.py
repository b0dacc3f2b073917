"""The lawful sammanträde in the console: ersättare, beslutsförhet, jäv, numbered
yrkanden, proposition, votering with utslagsröst, reservation, anteckning, and the
protokoll text of a contested ärende (Kommunallagen 5 kap 67 §)."""

from __future__ import annotations

from sqlmodel import select

from storage import paragraphs
from storage.models import Paragraph
from tests.conftest import Chat

CHAIR, VICE, AF, FK, ERS, SEK = ("Carolina Sondell", "Jan-Olov Häggström", "Cecilia Sparf",
                                 "Camilla Steen", "Johnny Eriksson", "Pär Eriksson")


def _meeting(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25 08:30 Digitalt via Teams")
    ovik.text("!paragrafnummer 22")
    ovik.text(f"!närvaro {CHAIR}, {VICE}, {AF}, {FK}")
    ovik.text(f"!närvaro övriga: {ERS}, {SEK}")


def _protokoll_md(ovik: Chat) -> str:
    reply = ovik.say("!protokoll")
    return next(a.data.decode() for a in reply.attachments if a.filename.endswith(".md"))


def _section(markdown: str, number: int) -> str:
    start = markdown.index(f"## § {number} ")
    end = markdown.find("\n## ", start + 5)
    return markdown[start:end if end > 0 else None]


def test_contested_arende_end_to_end(ovik: Chat) -> None:
    _meeting(ovik)
    assert "Beslutsför: ja, 4 av 4 ledamöter" in ovik.text("!möte")
    ovik.text("!paragraf Sammanträdet öppnas")
    ovik.text("!beslut Ordföranden förklarade sammanträdet öppnat.")
    ovik.text("!paragraf ESF+ - Något för vårt samordningsförbund?")
    assert ovik.text(f"!ersättare {ERS} för {VICE}") == (
        "Johnny Eriksson RVN, tjänstgörande ersättare för Jan-Olov Häggström från § 23.")
    assert ovik.text(f"!jäv {AF}") == (
        "§ 23: Cecilia Sparf anmäler jäv och deltar inte i handläggningen av ärendet.")
    assert ovik.text(f"!yrkande {CHAIR}: bifall till förslaget").endswith(
        "Yrkande 1 (Carolina Sondell): bifall till förslaget")
    assert ovik.text(f"!yrkande {FK}: avslag till förslaget").endswith(
        "Yrkande 2 (Camilla Steen): avslag till förslaget")
    ovik.text(f"!yrkande {FK}: återremiss")
    assert "yrkande 3 (Camilla Steen) är återtaget" in ovik.text("!yrkande ta tillbaka 3")
    assert ovik.text(f"!instämmer {ERS} 1") == "§ 23: Johnny Eriksson instämmer i yrkande 1."
    started = ovik.say("!votering 1 mot 2")
    assert started.text.startswith(
        "§ 23: Votering begärs. Styrelsen godkänner följande propositionsordning: den som vill "
        "bifalla yrkande 1 röstar ja, den som vill bifalla yrkande 2 röstar nej.")
    assert "Röstberättigade: Carolina Sondell, Camilla Steen och Johnny Eriksson." in started.text
    assert started.poll is not None and started.poll.key.startswith("votering:")
    assert "yrkande 1 röstar ja" in started.poll.question
    # Refusals: one vote open at a time, a jävig person, a non-beslutande.
    assert "En votering pågår redan i § 23" in ovik.text("!votering 1 mot 2")
    assert ovik.text("!röst ja", AF) == (
        "Cecilia Sparf har anmält jäv i § 23 och får inte rösta där.")
    assert ovik.text("!röst ja", VICE).startswith(
        "Jan-Olov Häggström är inte beslutande i § 23 och får inte rösta.")
    ovik.text("!röst nej", CHAIR)
    assert "har ändrat sin röst till ja (förut nej)" in ovik.text("!röst ja", CHAIR)
    ovik.text("!röst nej", ERS)
    assert ovik.text("!röst Camilla Steen: nej").startswith(
        "Camilla Steen röstar nej (antecknat av sekreteraren).")
    assert "Camilla Steen" in ovik.text("!ångra")  # the secretary's voice vote taken back
    ovik.text("!röst ja", ERS)
    # A tie, 1 ja against 1 nej: the chair's utslagsröst decides.
    ovik.text("!röst avstår", ERS)
    ovik.text("!röst nej", FK)
    result = ovik.say("!votering klar")
    assert result.text.startswith(
        "§ 23: Omröstningsresultat: 1 ja, 1 nej, 1 avstår. Rösterna är lika; ordförandens "
        "utslagsröst avgör. Styrelsen har beslutat enligt yrkande 1.")
    assert result.poll_closed == started.poll.key
    # Refusals: the winner reserves, a jävig person reserves.
    assert ovik.text(f"!reservation {CHAIR}") == (
        "Carolina Sondell röstade ja, alltså för beslutet i § 23 (yrkande 1), och kan inte "
        "reservera sig mot det.")
    assert "har anmält jäv i § 23" in ovik.text(f"!reservation {AF}")
    assert "Den skriftliga reservationen ska lämnas in" in ovik.text(
        f"!reservation {FK} skriftlig")
    ovik.text(f"!anteckning {ERS}: Region Västernorrland vill följa ansökan.")
    ovik.text("!justerare Cecilia Sparf")
    ovik.text("!möte avsluta 11:30")
    ready = ovik.text("!protokoll klart")
    assert "skriftlig reservation är anmäld men inte inlämnad:\n- § 23: Camilla Steen" in ready

    markdown = _protokoll_md(ovik)
    assert ("| Beslutande | Carolina Sondell ÖK ordförande, Jan-Olov Häggström RVN vice "
            "ordförande, Cecilia Sparf AF, Camilla Steen FK, Johnny Eriksson RVN, tjänstgörande "
            "ersättare för Jan-Olov Häggström från § 23 |") in markdown
    paragraph = _section(markdown, 23)
    order = ["Cecilia Sparf anmäler jäv och deltar inte i handläggningen av ärendet.",
             "Yrkande 1 (Carolina Sondell): bifall till förslaget",
             "Yrkande 2 (Camilla Steen): avslag till förslaget",
             "Johnny Eriksson instämmer i yrkande 1.",
             "Votering begärs. Styrelsen godkänner följande propositionsordning: den som vill "
             "bifalla yrkande 1 röstar ja, den som vill bifalla yrkande 2 röstar nej.",
             "Omröstningsresultat: 1 ja, 1 nej, 1 avstår. Rösterna är lika; ordförandens "
             "utslagsröst avgör. Styrelsen har beslutat enligt yrkande 1.",
             "Ja: Carolina Sondell. Nej: Camilla Steen. Avstår: Johnny Eriksson.",
             "**Beslut:**\n\n- Bifall till förslaget",
             "- Camilla Steen reserverar sig mot beslutet skriftligt.",
             "- Johnny Eriksson: Region Västernorrland vill följa ansökan."]
    positions = [paragraph.index(line) for line in order]
    assert positions == sorted(positions)
    assert "återremiss" not in paragraph

    # !visa shows the § as the protokoll does, in the same order, the beslut numbered.
    shown = ovik.text("!visa §23")
    assert shown.startswith("§ 23 ESF+ - Något för vårt samordningsförbund?\n"
                            "Sammanträdet fredag 25 mars 2022")
    order[7] = "**Beslut:**\n\n1. Bifall till förslaget"
    positions = [shown.index(line) for line in order]
    assert positions == sorted(positions)
    assert "återremiss" not in shown and "Inga beslut antecknade" not in shown

    # The next kallelse: under föregående protokoll, one line per votering and reservation.
    kallelse = ovik.say("!kallelse 2022-05-20 09:00 Stadshuset")
    md = next(a.data.decode() for a in kallelse.attachments if a.filename.endswith(".md"))
    assert ("4. Föregående protokoll (2022-03-25, § 22–23)\n"
            "   - § 23 ESF+ - Något för vårt samordningsförbund?: votering, 1 ja, 1 nej, "
            "1 avstår; beslut enligt yrkande 1 (ordförandens utslagsröst).\n"
            "   - § 23: Camilla Steen reserverade sig mot beslutet (skriftlig reservation).\n"
            "5. Övriga frågor") in md


def test_proposition_without_vote_and_locked_after_justering(ovik: Chat) -> None:
    _meeting(ovik)
    ovik.text("!paragraf Redovisning av indikatorenkäterna")
    ovik.text(f"!yrkande {AF}: att ta del av redovisningen")
    ovik.text(f"!yrkande {FK}: att bordlägga ärendet")
    assert ovik.text("!proposition 1").startswith(
        "§ 22: Ordföranden ställer proposition på yrkandena och finner att styrelsen beslutar "
        "enligt yrkande 1.")
    assert "eget yrkande" in ovik.text(f"!reservation {AF}")
    assert ovik.text(f"!reservation {FK}") == "§ 22: Camilla Steen reserverar sig mot beslutet."
    ovik.text("!justerare Cecilia Sparf")
    ovik.text("!möte avsluta 11:30")
    markdown = _protokoll_md(ovik)
    assert ("**Propositionsordning:**\n\nOrdföranden ställer proposition på yrkandena och "
            "finner att styrelsen beslutar enligt yrkande 1.\n\n**Beslut:**\n\n- Att ta del "
            "av redovisningen") in markdown


def test_vote_after_justering_is_refused(ovik: Chat) -> None:
    _meeting(ovik)
    ovik.text("!paragraf Beslut om fastställande av årsredovisning")
    ovik.text(f"!yrkande {CHAIR}: bifall")
    ovik.text(f"!yrkande {FK}: avslag")
    ovik.text("!votering 1 mot 2")
    ovik.text("!röst ja", CHAIR)
    ovik.text("!beslut Styrelsen fastställer årsredovisningen.")
    ovik.text(f"!justerare {AF}")
    assert "omedelbart justerad" in ovik.text("!omedelbar justering §22")
    locked = ("§ 22 är redan justerad och kan inte ändras. Rättelser görs som ett nytt beslut "
              "vid ett senare sammanträde.")
    assert ovik.text("!röst nej", FK) == locked
    assert ovik.text("!votering klar") == locked
    assert ovik.text(f"!reservation {FK}") == locked


def test_not_beslutsfor_still_records(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25 08:30")
    ovik.text(f"!närvaro {CHAIR}, {FK}")
    ovik.text("!paragraf Budget")
    reply = ovik.text("!beslut Styrelsen antar budgeten.")
    assert "Beslut: Styrelsen antar budgeten." in reply
    assert ("Obs: Styrelsen är inte beslutsför i § 1: bara 2 av 4 ledamöter deltar, och det "
            "krävs fler än hälften. Det är antecknat ändå.") in reply
    assert "Beslutsför: nej, 2 av 4 ledamöter" in ovik.text("!möte")


def test_corrections_before_justering(ovik: Chat) -> None:
    """!ändra §N yrkande/reservation/anteckning/röst put a slip right, a counted vote is
    counted again, each change is logged, and nothing changes after justering."""
    _meeting(ovik)
    ovik.text("!paragraf Ansökan om medel för Vidare Vy")
    ovik.text(f"!yrkande {CHAIR}: bifall till ansökan")
    ovik.text(f"!yrkande {FK}: avslag")
    ovik.text("!votering 1 mot 2")
    for name, vote in ((CHAIR, "ja"), (VICE, "ja"), (AF, "nej"), (FK, "nej")):
        ovik.text(f"!röst {name}: {vote}")
    # A tie the chair's vote decides for yrkande 1; FK (nej) reserves, AF notes.
    assert "Styrelsen har beslutat enligt yrkande 1." in ovik.text("!votering klar")
    ovik.text(f"!reservation {FK}: till förmån för mitt yrkande")
    ovik.text(f"!anteckning {AF}: Arbetsförmedlingen återkommer.")

    assert ovik.text("!ändra §22 yrkande 2 avslag till ansökan i sin helhet") == (
        "§ 22: yrkande 2 lyder nu ”avslag till ansökan i sin helhet” (förut ”avslag”).")
    assert ovik.text(f"!ändra §22 reservation {FK}: till förmån för eget yrkande") == (
        "§ 22: Camilla Steen reserverar sig mot beslutet: till förmån för eget yrkande "
        "(Förut: till förmån för mitt yrkande)")
    assert ovik.text(f"!ändra §22 anteckning {AF}: Arbetsförmedlingen återkommer i maj.") == (
        "§ 22: Cecilia Sparfs protokollsanteckning lyder nu ”Arbetsförmedlingen återkommer i "
        "maj.” (förut ”Arbetsförmedlingen återkommer.”).")
    # The vice chair voted nej, not ja: counted again, yrkande 2 wins 1–3.
    assert ovik.text(f"!ändra §22 röst {VICE}: nej") == (
        "§ 22: Jan-Olov Häggströms röst är ändrad till nej (förut ja).\n"
        "Omröstningsresultat: 1 ja, 3 nej, 0 avstår. Styrelsen har beslutat enligt yrkande 2.\n"
        "Ja: Carolina Sondell. Nej: Jan-Olov Häggström, Cecilia Sparf och Camilla Steen.\n"
        "Resultatet har ändrats.")
    # Refusals: someone who reserved nothing, no such yrkande, a non-beslutande's vote.
    assert ovik.text(f"!ändra §22 reservation {AF}: x") == (
        "Cecilia Sparf har inte reserverat sig i § 22, så det finns ingen reservation att "
        "ändra.")
    assert ovik.text("!ändra §22 yrkande 5 x") == (
        "Det finns inget yrkande 5 i § 22. Yrkanden: 1, 2.")
    assert ovik.text(f"!ändra §22 röst {ERS}: ja").startswith(
        "Johnny Eriksson är inte beslutande i § 22 och får inte rösta.")

    shown = ovik.text("!visa §22")
    assert "- Yrkande 2 (Camilla Steen): avslag till ansökan i sin helhet" in shown
    assert ("Omröstningsresultat: 1 ja, 3 nej, 0 avstår. Styrelsen har beslutat enligt "
            "yrkande 2.") in shown
    assert "1. Avslag till ansökan i sin helhet" in shown
    assert "- Camilla Steen reserverar sig mot beslutet: till förmån för eget yrkande" in shown
    assert "- Cecilia Sparf: Arbetsförmedlingen återkommer i maj." in shown
    with ovik.app.db.transaction() as session:
        target = session.exec(select(Paragraph)).one()
        trail = [(a.action, a.old_text, a.new_text)
                 for a in paragraphs.audit_trail(session, target.id)]
    assert trail[-4:] == [
        ("yrkande ändrad", "avslag", "avslag till ansökan i sin helhet"),
        ("reservation ändrad", "till förmån för mitt yrkande", "till förmån för eget yrkande"),
        ("anteckning ändrad", "Arbetsförmedlingen återkommer.",
         "Arbetsförmedlingen återkommer i maj."),
        ("röst ändrad", "Jan-Olov Häggström: ja", "Jan-Olov Häggström: nej")]

    ovik.text("!beslut Styrelsen avslår ansökan.")
    ovik.text(f"!justerare {AF}")
    ovik.text("!omedelbar justering §22")
    locked = ("§ 22 är redan justerad och kan inte ändras. Rättelser görs som ett nytt beslut "
              "vid ett senare sammanträde.")
    for text in ("!ändra §22 yrkande 1 bifall", f"!ändra §22 reservation {FK}: x",
                 f"!ändra §22 anteckning {AF}: x", f"!ändra §22 röst {VICE}: ja"):
        assert ovik.text(text) == locked


def test_search_finds_yrkanden_reservationer_and_anteckningar(ovik: Chat) -> None:
    _meeting(ovik)
    ovik.text("!paragraf Ansökan om medel för Vidare Vy")
    ovik.text(f"!yrkande {CHAIR}: bifall till ansökan")
    ovik.text(f"!yrkande {FK}: avslag med hänvisning till budgetläget")
    ovik.text("!proposition 1")
    ovik.text(f"!reservation {FK}: budgetläget medger inte insatsen")
    ovik.text(f"!anteckning {AF}: Arbetsförmedlingen vill se budgetläget i maj.")
    assert ovik.text("!sök budgetläget") == (
        "3 träffar på ”budgetläget”:\n"
        "- § 22 (2022-03-25) Ansökan om medel för Vidare Vy: yrkande av Camilla Steen: avslag "
        "med hänvisning till budgetläget\n"
        "- § 22 (2022-03-25) Ansökan om medel för Vidare Vy: reservation: Camilla Steen "
        "reserverar sig mot beslutet: budgetläget medger inte insatsen\n"
        "- § 22 (2022-03-25) Ansökan om medel för Vidare Vy: protokollsanteckning av Cecilia "
        "Sparf: Arbetsförmedlingen vill se budgetläget i maj.")
    assert ovik.text("!sök camilla insatsen") == (
        "1 träff på ”camilla insatsen”:\n"
        "- § 22 (2022-03-25) Ansökan om medel för Vidare Vy: reservation: Camilla Steen "
        "reserverar sig mot beslutet: budgetläget medger inte insatsen")


def test_how_a_person_voted(ovik: Chat) -> None:
    _meeting(ovik)
    for title, vote in (("Ansökan om medel för Vidare Vy", "nej"),
                        ("Ansökan om medel för Äpplet", "avstår")):
        ovik.text(f"!paragraf {title}")
        ovik.text(f"!yrkande {CHAIR}: bifall")
        ovik.text(f"!yrkande {AF}: avslag")
        ovik.text("!votering 1 mot 2")
        for name, given in ((CHAIR, "ja"), (VICE, "ja"), (AF, "nej"), (FK, vote)):
            ovik.text(f"!röst {name}: {given}")
        ovik.text("!votering klar")
    ovik.text("!paragraf Ansökan om medel för Trappan")  # cancelled: not a counted vote
    ovik.text(f"!yrkande {CHAIR}: bifall")
    ovik.text(f"!yrkande {AF}: avslag")
    ovik.text("!votering 1 mot 2")
    ovik.text(f"!röst {FK}: ja")
    ovik.text("!votering avbryt")
    expected = (
        "Camilla Steens röster i Styrelsens voteringar{år}:\n"
        "- § 22, fredag 25 mars 2022, Ansökan om medel för Vidare Vy: yrkande 1 (bifall) mot "
        "yrkande 2 (avslag). Röstade nej (för yrkande 2). Beslut enligt yrkande 1.\n"
        "- § 23, fredag 25 mars 2022, Ansökan om medel för Äpplet: yrkande 1 (bifall) mot "
        "yrkande 2 (avslag). Avstod. Beslut enligt yrkande 1.")
    assert ovik.text(f"!röster {FK}", "Cecilia Sparf") == expected.format(år="")
    assert ovik.text(f"!röster {FK} 2022") == expected.format(år=" 2022")
    assert ovik.text(f"!röster {FK} 2023") == (
        "Camilla Steen har inte röstat i någon votering i Styrelsen 2023.")
    assert ovik.text("!röster camilla steen") == (
        "camilla steen finns inte bland organets ledamöter och ersättare eller i närvaron. "
        "Menade du Camilla Steen? Skriv namnet som i närvarolistan.")


def test_refusals_suggest_the_form_at_the_paragraph(ovik: Chat) -> None:
    """The example a refusal suggests: the declared one for !instämmer, and for a correction
    the form at the § being corrected (whatever alias was typed)."""
    _meeting(ovik)
    ovik.text("!paragraf Val")
    ovik.text(f"!yrkande {FK}: avslag till förslaget")
    missing = "Det saknas text efter !{}. Skriv till exempel: !{}"
    assert ovik.text("!instämmer Johnny") == missing.format("instämmer",
                                                            "instämmer Cecilia Sparf 1")
    assert ovik.text(f"!instämmer {CHAIR} x") == (
        "”x” är inget yrkandenummer. Skriv till exempel !instämmer Cecilia Sparf 1.")
    assert ovik.text(f"!ändra §22 röst {FK}") == missing.format(
        "ändra", "ändra §22 röst Camilla Steen: nej")
    for typed, form in (("reservation", "reservation"), ("anteckning", "anteckning"),
                        ("protokollsanteckning", "anteckning")):
        assert ovik.text(f"!ändra §22 {typed} {FK}") == missing.format(
            "ändra", f"ändra §22 {form} Camilla Steen: <ny text>")
    assert ovik.text("!ändra §22 yrkande x") == (
        "”x” är inget yrkandenummer. Skriv till exempel !ändra §22 yrkande 2 <ny text>.")
    assert ovik.text("!ändra §22 yrkande 1") == missing.format(
        "ändra", "ändra §22 yrkande 2 <ny text>")
