"""Budget files: CSV (comma or semicolon, UTF-8 or Windows-1252) and XLSX, whole-file
rejection with line numbers, idempotent re-import, and the command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.app import create_app
from bot.cli import main
from bot.commands.budget.files import BudgetFileError, read_budget_file
from bot.config import load_config
from tests.budget_support import BUDGET_2021, load_2021, plain, send_file
from tests.conftest import FIXTURES, Chat


def _rows() -> list[list[str]]:
    text = BUDGET_2021.read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _csv(delimiter: str, encoding: str) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(_rows())
    return out.getvalue().encode(encoding)


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    header, *rows = _rows()
    sheet.append([h.upper() for h in header])  # headers are case-insensitive
    for name, year, granted, spent, day, comment in rows:
        # Numbers as Excel keeps them: floats, costs negative, dates as text.
        sheet.append([name, int(year), float(granted.replace(" ", "")),
                      float(spent.replace(" ", "")), day, comment])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("filename", "make"), [
    ("budget.csv", lambda: _csv(";", "utf-8")),
    ("budget.csv", lambda: _csv(",", "utf-8-sig")),
    ("budget.csv", lambda: _csv(";", "cp1252")),
    ("budget.csv", lambda: _csv(",", "cp1252")),
    ("budget.xlsx", _xlsx),
])
def test_every_format_gives_the_seed_figures(ovik: Chat, filename: str, make) -> None:  # type: ignore[no-untyped-def]
    data = make()
    reply = send_file(ovik, "!budget import", filename, data)
    assert reply.text.startswith(f"Importerat {filename} (11 rader, 2021): 11 nya beviljade "
                                 "belopp och 11 nya utfall.")
    assert "Samverkansprojekt Äpplet" in reply.text  # å, ä, ö survive every encoding
    vy = plain(ovik.text("!budget Vidare Vy 2021"))
    assert "- Beviljat: 455 000 kr" in vy and "- Kvar: 227 777 kr" in vy
    assert "**3 993 000 kr**" in plain(ovik.text("!budget 2021"))
    again = send_file(ovik, "!budget import", filename, data)
    assert ("0 nya beviljade belopp och 0 nya utfall; 22 fanns redan och lämnades orörda"
            in again.text)
    assert "**3 993 000 kr**" in plain(ovik.text("!budget 2021"))


def test_a_bad_row_rejects_the_whole_file(ovik: Chat) -> None:
    data = ("insats;år;beviljat;utfall;datum;kommentar\n"
            "Vidare Vy;2021;455 000;-227 223;2021-06-30;ok\n"
            "Plattform U;2021;600 000;trehundra;2021-06-30;\n"
            ";2021;1;;;\n"
            "Lärlingsvux;21;500 000;;;\n"
            "Äpplet;2021;600 000;;30/6 2021;\n").encode()
    reply = send_file(ovik, "!budget import", "fel.csv", data)
    assert reply.text.startswith("fel.csv lästes inte in; inget är sparat.")
    assert "- Rad 3: utfall: ”trehundra” är inget belopp" in reply.text
    assert "- Rad 4: insatsens namn saknas" in reply.text
    assert "- Rad 5: ”21” är inget år" in reply.text
    assert "- Rad 6: datum: ”30/6 2021” är inget datum" in reply.text
    assert "Jag hittar ingen insats" in ovik.text("!budget Vidare Vy")  # nothing half-imported


@pytest.mark.parametrize(("data", "message"), [
    (b"", "filen är tom"),
    (b"projekt;belopp\nVidare Vy;5\n", "rubriker"),
    (b"insats;kommentar\nVidare Vy;x\n", "kolumnen år saknas"),
    (b"insats;\xc3\xa5r;beviljat\n", "inga rader"),
    (b"PK\x03\x04not really a workbook", "ingen Excel-fil"),
])
def test_files_that_are_not_budget_files(data: bytes, message: str) -> None:
    with pytest.raises(BudgetFileError) as caught:
        read_budget_file(data, "x.csv")
    assert message in str(caught.value)


def test_dotted_thousands_and_huge_excel_numbers() -> None:
    lines = read_budget_file("insats;år;beviljat;utfall\nVidare Vy;2021;455.000;1.234.567\n"
                             .encode(), "b.csv")
    assert (lines[0].granted_ore, lines[0].spent_ore) == (45_500_000, 123_456_700)
    with pytest.raises(BudgetFileError) as caught:
        read_budget_file(b"insats;\xc3\xa5r;beviljat\nVidare Vy;2021;455,000\n", "b.csv")
    assert caught.value.errors[0].line == 2
    assert "oklart om kommat skiljer tusental eller decimaler" in caught.value.errors[0].message
    book = Workbook()
    sheet = book.active
    sheet.append(["insats", "år", "beviljat", "utfall"])
    sheet.append(["Vidare Vy", 2021, 455000, None])
    sheet.append(["Äpplet", 2021, 1e18, float("inf")])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(BudgetFileError) as caught:
        read_budget_file(out.getvalue(), "b.xlsx")
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (3, "beviljat: ”1000000000000000000” är inget belopp (för stort belopp); "
            "skriv t.ex. 455 000 eller 404 315,57")]


def test_a_row_wider_than_the_header_is_refused() -> None:
    # An unquoted decimal comma: 404315,57 would be read as 404 315 and 57 kr.
    data = ("insats,år,beviljat,utfall,datum,kommentar\n"
            "Vidare Vy,2021,455000,,2021-06-30,ok\n"
            "Vidare Vy,2022,404315,57,,2022-06-30,x\n").encode()
    with pytest.raises(BudgetFileError) as caught:
        read_budget_file(data, "b.csv")
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (3, "raden har 7 fält men rubrikraden bara 6; skriv belopp med decimaler inom "
            "citattecken (\"404315,57\") eller spara filen med semikolon som avgränsare")]
    semicolons = "insats;år;beviljat\nVidare Vy;2021;455 000;;extra\nÄpplet;2021;1;;\n"
    with pytest.raises(BudgetFileError) as caught:
        read_budget_file(semicolons.encode(), "b.csv")
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (2, "raden har 5 fält men rubrikraden bara 3; ta bort det som står till höger om "
            "sista rubriken")]


def test_year_from_the_command_when_the_file_has_none(ovik: Chat) -> None:
    data = "Insats;Beviljat;Utfall\nVidare Vy;455 tkr;227 223:-\n".encode("cp1252")
    reply = send_file(ovik, "!budget import 2021", "utan-år.csv", data)
    assert "1 nytt beviljat belopp och 1 nytt utfall" in reply.text
    assert "- Kvar: 227 777 kr" in plain(ovik.text("!budget Vidare Vy 2021"))


def test_import_matches_aliases_and_counts_chat_grants(ovik: Chat) -> None:
    ovik.text("!insats ny Samverkansprojekt Äpplet")
    ovik.text("!insats alias Samverkansprojekt Äpplet = Projekt Äpplet")
    ovik.text("!möte öppna 2021-02-12 09:00 Stadshuset")
    ovik.text("!anslag Äpplet 600 000 2021")
    # The export of that grant, re-imported, is the same grant (same date and amount).
    data = ("insats,år,beviljat,utfall,datum,kommentar\n"
            "Projekt Äpplet,2021,600000,,2021-02-12,§ 1\n"
            "Projekt Äpplet,2021,,\"-37 500\",2021-12-31,Upplupen kostnad\n").encode()
    reply = send_file(ovik, "!budget import", "appel.csv", data)
    assert "0 nya beviljade belopp och 1 nytt utfall; 1 fanns redan" in reply.text
    answer = plain(ovik.text("!budget äpplet 2021"))
    assert "- Beviljat: 600 000 kr" in answer and "- Utfall: 37 500 kr (6 % av beviljat)" in answer


def _config(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BOT_DATABASE_URL", db_url)
    path = tmp_path / "config.toml"
    path.write_text((FIXTURES / "ornskoldsvik.toml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    return str(path)


def test_command_line_import_export_round_trip(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, db_url, monkeypatch)
    assert main(["budget", "import", str(BUDGET_2021), "--config", config]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Importerat budget-2021.csv till Samordningsförbundet i Örnsköldsvik "
                          "(11 rader, 2021): 11 nya beviljade belopp och 11 nya utfall.")
    assert main(["budget", "import", str(BUDGET_2021), "--config", config]) == 0
    assert ("0 nya beviljade belopp och 0 nya utfall; 22 fanns redan och lämnades orörda."
            in capsys.readouterr().out)
    assert main(["budget", "export", "--config", config, "--år", "2021"]) == 0
    exported = capsys.readouterr().out
    assert exported.splitlines()[0] == "insats;år;beviljat;utfall;datum;kommentar;kredit"
    assert "Vidare Vy;2021;455000;;2021-06-30;Delårsbokslut per 30 juni 2021, not 2" in exported
    assert "Vidare Vy;2021;;227223;2021-06-30;" in exported
    xlsx = tmp_path / "ut.xlsx"
    assert main(["budget", "export", "--config", config, "--out", str(xlsx)]) == 0
    assert main(["budget", "import", str(xlsx), "--config", config]) == 0
    assert ("0 nya beviljade belopp och 0 nya utfall; 22 fanns redan och lämnades orörda."
            in capsys.readouterr().out)
    bad = tmp_path / "fel.csv"
    bad.write_bytes("insats;år;beviljat\nVidare Vy;2021;12x\n".encode("cp1252"))
    assert main(["budget", "import", str(bad), "--config", config]) == 1
    err = capsys.readouterr().err
    assert "fel.csv lästes inte in; inget är sparat." in err
    assert "Rad 2: beviljat: ”12x” är inget belopp" in err
    assert main(["budget", "import", str(BUDGET_2021), "--config", config,
                 "--forbund", "sundsvall"]) == 2
    assert "Förbundet sundsvall finns inte" in capsys.readouterr().err
    assert main(["budget", "import", str(tmp_path / "saknas.csv"), "--config", config]) == 2
    assert f"Kan inte läsa {tmp_path / 'saknas.csv'}: filen finns inte." in capsys.readouterr().err
    # A command-line import is one import too: !budget ångra takes it back whole.
    app = create_app(load_config(config))
    undone = plain(Chat(app, sender="@par:ovik.test").text("!budget ångra"))
    app.close()
    assert undone.startswith(
        "Den senaste importen är borttagen: 11 beviljade belopp och 11 utfall"), undone
    assert undone.endswith(" av bot budget import). Läs in en rättad fil med !budget import.")


def test_exported_csv_rebuilds_the_budget_elsewhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    first = _config(tmp_path, f"sqlite:///{tmp_path / 'a.db'}", monkeypatch)
    main(["budget", "import", str(BUDGET_2021), "--config", first])
    out = tmp_path / "export.csv"
    main(["budget", "export", "--config", first, "--out", str(out)])
    monkeypatch.setenv("BOT_DATABASE_URL", f"sqlite:///{tmp_path / 'b.db'}")
    capsys.readouterr()
    assert main(["budget", "import", str(out), "--config", first]) == 0
    assert "(22 rader, 2021): 11 nya beviljade belopp och 11 nya utfall." in capsys.readouterr().out


def test_names_only_like_an_insats_reject_the_file_with_the_alias_command(
        ovik: Chat, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    load_2021(ovik)
    # Not 2's own spellings of "Samtalsbyrån för unga" and "Vidare Vy", and one new insats.
    data = ("insats;år;beviljat;utfall;datum;kommentar\n"
            "Samtalsbyrån;2021;;-147 500;2021-12-31;Bokslut\n"
            "Bidrag Vidare Vy;2021;;-1 000;2021-12-31;Bokslut\n"
            "Helt annat projekt;2021;10 000;;2021-12-31;\n").encode()
    reply = plain(send_file(ovik, "!budget import", "bokslut.csv", data).text)
    assert reply.startswith("bokslut.csv lästes inte in; inget är sparat.")
    assert ("- Rad 2: ”Samtalsbyrån” liknar Samtalsbyrån för unga. Samma insats: !insats alias "
            "Samtalsbyrån för unga = Samtalsbyrån. En ny insats: !insats ny Samtalsbyrån.") in reply
    assert ("- Rad 3: ”Bidrag Vidare Vy” liknar Vidare Vy. Samma insats: !insats alias "
            "Vidare Vy = Bidrag Vidare Vy.") in reply
    assert "Helt annat" not in reply
    assert "Helt annat projekt" not in ovik.text("!insatser")  # nothing stored
    assert "kan nu också kallas" in ovik.text(
        "!insats alias Samtalsbyrån för unga = Samtalsbyrån")
    assert "kan nu också kallas" in ovik.text("!insats alias Vidare Vy = Bidrag Vidare Vy")
    again = send_file(ovik, "!budget import", "bokslut.csv", data).text
    assert "1 nytt beviljat belopp och 2 nya utfall" in again and "Helt annat projekt" in again
    assert "- Utfall: 228 223 kr" in plain(ovik.text("!budget Vidare Vy 2021"))
    # The command line says the same.
    config = _config(tmp_path, db_url, monkeypatch)
    path = tmp_path / "bokslut.csv"
    path.write_bytes(data.replace(b"Samtalsbyr\xc3\xa5n;", b"Samtalsbyr\xc3\xa5 ;"))
    main(["budget", "import", str(BUDGET_2021), "--config", config])
    assert main(["budget", "import", str(path), "--config", config]) == 1
    err = capsys.readouterr().err
    assert "Rad 2: ”Samtalsbyrå” liknar Samtalsbyrån för unga." in err


def test_many_bad_rows_are_counted_not_hidden() -> None:
    rows = "\n".join(f"Vidare Vy;2021;abc{n};;;" for n in range(8))
    data = f"insats;år;beviljat;utfall;datum;kommentar\n{rows}\n".encode()
    with pytest.raises(BudgetFileError) as caught:
        read_budget_file(data, "budget.csv")
    messages = [(e.line, e.message) for e in caught.value.errors]
    assert messages[0] == (2, "beviljat: ”abc0” är inget belopp; skriv t.ex. 455 000 eller "
                              "404 315,57")
    assert len(messages) == 6 and messages[-1] == (0, "… och 3 rader till med fel")


def test_the_latest_import_or_utfall_can_be_taken_back(ovik: Chat) -> None:
    """A wrong file is taken back whole with !budget ångra; a later chat utfall first."""
    assert ovik.text("!budget ångra").startswith("Det finns ingen import och inget utfall")
    load_2021(ovik)
    ovik.text("!utfall Vidare Vy 10 000 2021-12-31 Faktura")
    assert "Utfall: 237 223 kr" in plain(ovik.text("!budget Vidare Vy 2021"))
    refused = ovik.text("!budget ångra", sender="Cecilia Sparf")
    assert refused.startswith("Du får inte använda !budget ångra"), refused
    first = plain(ovik.text("!budget ångra"))
    # (bokfört: the store's own clock, not the chat's)
    assert first.startswith("Utfallet är borttaget: Vidare Vy 10 000 kr per den 31 december "
                            "2021 (Faktura), bokfört "), first
    assert first.endswith(" av Pär Eriksson."), first
    second = plain(ovik.text("!budget ångra"))
    assert second.startswith("Den senaste importen är borttagen: 11 beviljade belopp och 11 utfall "
                             "(inlästa "), second
    assert second.endswith(" av Pär Eriksson). Läs in en rättad fil med !budget import."), second
    assert "Inga beviljade medel eller utfall för 2021" in ovik.text("!budget Vidare Vy 2021")
    # The same file can be read in again, whole.
    again = plain(send_file(ovik, "!budget import", BUDGET_2021.name,
                            BUDGET_2021.read_bytes()).text)
    assert again.startswith("Importerat budget-2021.csv (11 rader, 2021): 11 nya beviljade "
                            "belopp och 11 nya utfall"), again
    assert "Beviljat: 455 000 kr" in plain(ovik.text("!budget Vidare Vy 2021"))


FORMULAS = ['=HYPERLINK("http://x","klicka")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def test_typed_formulas_are_exported_as_text_and_read_back_as_typed(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Names and comments that a spreadsheet would compute come out as text: a string cell
    in XLSX, a leading apostrophe in CSV (OWASP); the amounts stay numbers."""
    import zipfile

    from openpyxl import load_workbook

    from bot.spreadsheet_cells import csv_text

    config = _config(tmp_path, db_url, monkeypatch)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["insats", "år", "beviljat", "utfall", "datum", "kommentar"])
    for n, text in enumerate(FORMULAS, start=1):
        writer.writerow([text, "2021", f"{n} 000", "", "2021-06-30", FORMULAS[-n]])
    source = tmp_path / "formler.csv"
    source.write_text(out.getvalue(), encoding="utf-8")
    assert main(["budget", "import", str(source), "--config", config]) == 0
    assert "4 nya beviljade belopp och 0 nya utfall" in capsys.readouterr().out

    xlsx = tmp_path / "ut.xlsx"
    assert main(["budget", "export", "--config", config, "--out", str(xlsx)]) == 0
    with zipfile.ZipFile(xlsx) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere
    sheet = load_workbook(xlsx).active
    rows = list(sheet.iter_rows(min_row=2))
    # Exported by insats name: each typed text is a string cell, word for word.
    assert sorted((r[0].value, r[5].value) for r in rows) == sorted(
        (text, FORMULAS[-n]) for n, text in enumerate(FORMULAS, start=1))
    assert {(r[0].data_type, r[5].data_type) for r in rows} == {("s", "s")}
    assert sorted((r[2].value, r[2].data_type) for r in rows) == [
        (1000, "n"), (2000, "n"), (3000, "n"), (4000, "n")]

    exported = tmp_path / "ut.csv"
    assert main(["budget", "export", "--config", config, "--out", str(exported)]) == 0
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        cells = sorted(csv.reader(handle, delimiter=";"))[:-1]  # the header sorts last
    assert cells == [
        ["'+cmd|' /C calc'!A0", "2021", "2000", "", "2021-06-30", "'@SUM(1+1)", ""],
        ["'-2+3", "2021", "4000", "", "2021-06-30", "'=HYPERLINK(\"http://x\",\"klicka\")", ""],
        ["'=HYPERLINK(\"http://x\",\"klicka\")", "2021", "1000", "", "2021-06-30", "'-2+3", ""],
        ["'@SUM(1+1)", "2021", "3000", "", "2021-06-30", "'+cmd|' /C calc'!A0", ""]]
    # Both exports read back as the same four grants, not as four new insatser.
    capsys.readouterr()
    for path in (exported, xlsx):
        assert main(["budget", "import", str(path), "--config", config]) == 0
        assert ("0 nya beviljade belopp och 0 nya utfall; 4 fanns redan och lämnades orörda."
                in capsys.readouterr().out)
    assert [csv_text(t) for t in ("\tx", "\rx", "Vidare Vy", "")] == ["'\tx", "'\rx",
                                                                     "Vidare Vy", ""]
