"""Near-miss names (issue 17): likeness rests on the distinctive words of a name, so two real
insatser that share 'Processtöd' or 'Projekt' are two insatser, and the candidates of a name
come from an index, not from a comparison with every insats."""

from __future__ import annotations

import random

from storage.insats_names import NameIndex, name_key, names_alike
from storage.models_budget import Insats
from tests.budget_support import load_2021, plain, send_file
from tests.conftest import Chat

# Seed 003, delårsrapport per 2021-06-30, Not 2: insats, resultat 2021-06-30, resultat 2020.
NOT_2 = [
    ("Projekt trygga föräldrar-älskade barn", "", "-486 500"),
    ("Plattform U", "-300 000", "-600 000"),
    ("Samtalsbyrån", "-152 500", "-300 000"),
    ("Utvecklingsstrateg psykisk hälsa", "-337 176", "-330 283"),
    ("Bidrag Vidare Vy", "-227 223", "-454 448"),
    ("Samverkansprojekt Äpplet", "-299 042", "-600 280"),
    ("Processtöd våld i nära relationer", "-80 000", "-281 544"),
    ("Processtöd vägen till arbete", "0", "-63 670"),
    ("Kompetensutv i samverkan", "0", "-40 689"),
    ("Psykeveckan v45", "0", "-126 100"),
    ("Utbildning YAM-instruktörer", "0", "-58 500"),
    ("Förstärkt budget- och skuldrådgivning", "-174 667", ""),
    ("Digitalisering med språkutveckling", "0", "-200 000"),
    ("Lärlingsvux", "-200 000", ""),
    ("Nya aktiviteter", "0", ""),
]


def _not_2_file() -> bytes:
    rows = ["insats;år;beviljat;utfall;datum;kommentar"]
    for name, half_2021, year_2020 in NOT_2:
        if half_2021:
            rows.append(f"{name};2021;;{half_2021};2021-06-30;Delårsrapport 2021, not 2")
        if year_2020:
            rows.append(f"{name};2020;;{year_2020};2020-12-31;Resultat 2020, not 2")
    return ("\n".join(rows) + "\n").encode()


def test_the_whole_not_2_table_imports_once_its_own_spellings_are_aliases(ovik: Chat) -> None:
    load_2021(ovik)
    data = _not_2_file()
    first = plain(send_file(ovik, "!budget import", "not2.csv", data).text)
    # Only the bookkeeping's own spellings of insatser already in the register stop the file.
    assert first.startswith("not2.csv lästes inte in; inget är sparat.")
    assert "- Rad 5: ”Samtalsbyrån” liknar Samtalsbyrån för unga." in first
    assert "- Rad 9: ”Bidrag Vidare Vy” liknar Vidare Vy." in first
    assert "- Rad 17: ”Kompetensutv i samverkan” liknar Kompetensutveckling i samverkan." \
        in first
    assert first.count("- Rad ") == 3
    assert "vägen till arbete" not in first and "trygga" not in first
    for alias in ("Samtalsbyrån för unga = Samtalsbyrån", "Vidare Vy = Bidrag Vidare Vy",
                  "Kompetensutveckling i samverkan = Kompetensutv i samverkan"):
        assert "kan nu också kallas" in ovik.text(f"!insats alias {alias}")
    again = plain(send_file(ovik, "!budget import", "not2.csv", data).text)
    assert again == (
        "Importerat not2.csv (26 rader, 2020, 2021): 0 nya beviljade belopp och 15 nya utfall; "
        "11 fanns redan och lämnades orörda.\nNya insatser: Projekt trygga föräldrar-älskade barn, "
        "Processtöd vägen till arbete, Utbildning YAM-instruktörer och Digitalisering med "
        "språkutveckling.")
    vagen = plain(ovik.text("!budget Processtöd vägen till arbete 2020"))
    assert "- Utfall: 63 670 kr" in vagen
    vald = plain(ovik.text("!budget Processtöd våld i nära relationer 2020"))
    assert "- Utfall: 281 544 kr" in vald


def test_a_shared_first_word_suggests_nothing(ovik: Chat) -> None:
    ovik.text("!insats ny Projekt trygga föräldrar-älskade barn")
    reply = plain(ovik.text("!budget Projekt Äpplet"))
    assert reply.startswith("Jag hittar ingen insats som heter ”Projekt Äpplet”. Skriv "
                            "!insatser för att se alla"), reply
    assert "Menade du" not in reply
    ovik.text("!insats ny Samverkansprojekt Äpplet")
    assert ovik.text("!budget Projekt Äpplet").startswith("**Samverkansprojekt Äpplet ")


def test_names_alike_on_distinctive_words() -> None:
    def alike(a: str, b: str) -> bool:
        return names_alike(name_key(a), name_key(b))

    assert alike("Samtalsbyrån", "Samtalsbyrån för unga")
    assert alike("Samtalsbyrå", "Samtalsbyrån för unga")
    assert alike("Bidrag Vidare Vy", "Vidare Vy")
    assert alike("Kompetensutv i samverkan", "Kompetensutveckling i samverkan")
    assert alike("Förstärkt budget- och skuldråd", "Förstärkt budget- och skuldrådgivning")
    assert alike("Projekt Äpplet", "Samverkansprojekt Äpplet")
    assert alike("Plattfrom U", "Plattform U")
    assert not alike("Processtöd vägen till arbete", "Processtöd våld i nära relationer")
    assert not alike("Projekt Äpplet", "Projekt trygga föräldrar-älskade barn")
    assert not alike("Digitalisering med språkutveckling", "Kompetensutveckling i samverkan")


def test_the_index_compares_a_name_with_few_insatser() -> None:
    """2 000 insatser and 200 new names: each new name is compared with the insatser that
    share a piece of a distinctive word, not with all 2 000 (the old check made 400 000
    comparisons and took 29 s)."""
    rng = random.Random(17)
    letters = "abcdefghijklmnoprstuvyåäö"

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(6, 11)))

    names = [f"Projekt {word()} {word()}" for _ in range(2000)]
    index = NameIndex((Insats(id=n, forbund_id=1, name=name, name_key=name_key(name)),
                       [name_key(name)]) for n, name in enumerate(names, start=1))
    new = [f"Processtöd {word()} {word()}" for _ in range(200)]
    compared = sum(len(index.candidates(name_key(name))) for name in new)
    assert compared < 200 * 2000 // 10, compared
    assert all(index.like(name) == [] for name in new)
    # A mistyped known name is still found among its few candidates.
    known = names[1234]
    typo = known[:-2] + known[-1] + known[-2]
    assert [i.name for i in index.like(typo)] == [known]
