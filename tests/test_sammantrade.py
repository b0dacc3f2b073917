"""The lawful sammanträde in the console: ersättare, beslutsförhet, jäv, numbered
yrkanden, proposition, votering with utslagsröst, reservation, anteckning, and the
protokoll text of a contested ärende (Kommunallagen 5 kap 67 §)."""

from __future__ import annotations

from tests.conftest import Chat

CHAIR, VICE, AF, FK, ERS, SEK = ("Carolina Sondell", "Jan-Olov Häggström", "Cecilia Sparf",
                                 "Camilla Steen", "Johnny Eriksson", "Pär Eriksson")


def _meeting(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25 08:30 Digitalt via Teams")
    ovik.text("!paragrafnummer 22")
    ovik.text(f"!närvaro {CHAIR}, {VICE}, {AF}, {FK}")
    ovik.text(f"!närvaro övriga: {ERS}, {SEK}")


def test_smoke(ovik: Chat) -> None:
    _meeting(ovik)
    ovik.text("!paragraf Beslut om ESF-ansökan")
    print(ovik.text(f"!yrkande {CHAIR}: bifall till förslaget"))
    print(ovik.text(f"!yrkande {FK}: avslag till förslaget"))
    print(ovik.text(f"!instämmer {AF} 1"))
    print(ovik.text(f"!jäv {AF}"))
    print(ovik.text(f"!ersättare {ERS} för {VICE}"))
    print(ovik.text("!votering 1 mot 2"))
    print(ovik.text("!röst ja", CHAIR))
    print(ovik.text("!röst ja", ERS))
    print(ovik.text("!röst nej", FK))
    print(ovik.text("!röst ja", VICE))
    print(ovik.text("!votering klar"))
    print(ovik.text(f"!reservation {FK}: till förmån för eget yrkande"))
    print(ovik.text(f"!reservation {CHAIR}"))
    print(ovik.text(f"!anteckning {AF}: AF återkommer."))
    print(ovik.text("!möte avsluta 11:30"))
    print(ovik.text("!protokoll"))
