"""Budget files are read within hard limits (security finding 4 of issue 13): at most 50 000
rows under the header and 20 columns, whatever the sheet declares of itself; the reply names
the limit and the row where reading stopped, and a 1.6 kB sheet that declares the whole
grid costs no more memory than a small file."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.budget_files import BudgetFileError, read_budget_file
from tests.budget_support import plain, send_file
from tests.conftest import Chat

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["insats", "år", "beviljat", "utfall", "datum", "kommentar"]
REFUSED = "lästes inte in; inget är sparat. Rätta filen och skicka den igen:\n"

_OOXML = "http://schemas.openxmlformats.org"
_MIME = "application/vnd.openxmlformats-"
_TYPES = (f'<Types xmlns="{_OOXML}/package/2006/content-types">'
          f'<Default Extension="rels" ContentType="{_MIME}package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          f'<Override PartName="/xl/workbook.xml" ContentType="{_MIME}officedocument.'
          'spreadsheetml.sheet.main+xml"/>'
          f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_MIME}'
          'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (f'<Relationships xmlns="{_OOXML}/package/2006/relationships">'
         f'<Relationship Id="rId1" Type="{_OOXML}/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (f'<workbook xmlns="{_OOXML}/spreadsheetml/2006/main" '
             f'xmlns:r="{_OOXML}/officeDocument/2006/relationships">'
             '<sheets><sheet name="Budget" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (f'<Relationships xmlns="{_OOXML}/package/2006/relationships">'
                  f'<Relationship Id="rId1" Type="{_OOXML}/officeDocument/2006/'
                  'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def hostile_xlsx() -> bytes:
    """The finding's file: the sheet declares A1:XFD1048576, has a header and one cell in
    the very last cell of the grid."""
    header = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
                     for i, name in enumerate(HEADER))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<dimension ref="A1:XFD1048576"/><sheetData>'
             f'<row r="1">{header}</row>'
             '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
             '</sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _xlsx(cells: dict[str, object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["Vidare Vy", 2021, 455000, None, None, None])
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_hostile_sheet_is_refused_at_its_last_row_in_bounded_memory(tmp_path: Path
                                                                        ) -> None:
    """Read in a fresh interpreter with its address space capped at 2 GiB (the old reader
    padded every row to 16 384 columns and needed 3 GB), whose peak resident memory is
    measured by the kernel: VmHWM, the high-water mark of this program's own memory
    (getrusage's ru_maxrss keeps the forking pytest's size across the exec)."""
    data = hostile_xlsx()
    assert len(data) < 2000
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        from bot.budget_files import BudgetFileError, read_budget_file
        from bot.render import render
        data = open({str(path)!r}, "rb").read()
        try:
            read_budget_file(data, "hostile.xlsx")
            print("READ")
        except BudgetFileError as error:
            print(render("fel", "budgetfil_fel", filnamn="hostile.xlsx", fel=error.errors).text)
        status = open("/proc/self/status").read()
        print(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM:")))
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    *reply, peak_kib = run.stdout.strip().splitlines()
    assert plain("\n".join(reply)) == (
        "hostile.xlsx " + REFUSED + "- filen har fler än 50 000 rader under rubrikraden, och "
        "så många läser jag inte; jag slutade läsa vid rad 1 048 576. Dela upp filen, till "
        "exempel en fil per år")
    assert int(peak_kib) < 200 * 1024, f"peak {int(peak_kib) // 1024} MiB"


def test_a_value_past_row_50_001_stops_the_import(ovik: Chat) -> None:
    reply = plain(send_file(ovik, "!budget import", "stor.xlsx",
                            _xlsx({"A50002": "Lärlingsvux", "B50002": 2021})).text)
    assert reply == ("stor.xlsx " + REFUSED + "- filen har fler än 50 000 rader under "
                     "rubrikraden, och så många läser jag inte; jag slutade läsa vid rad "
                     "50 002. Dela upp filen, till exempel en fil per år")
    assert "Vidare Vy" not in ovik.text("!insatser")  # nothing stored


def test_a_value_in_column_21_stops_the_import(ovik: Chat) -> None:
    reply = plain(send_file(ovik, "!budget import", "bred.xlsx", _xlsx({"U2": "x"})).text)
    assert reply == ("bred.xlsx " + REFUSED + "- filen har fler än 20 kolumner, och så många "
                     "läser jag inte; jag slutade läsa vid rad 2, kolumn U. Ta bort kolumnerna "
                     "till höger om de 20 första")


def test_csv_rows_and_columns_have_the_same_limits() -> None:
    rows = "".join(f"Vidare Vy;2021;{n};;;\n" for n in range(50_001))
    data = f"{';'.join(HEADER)}\n{rows}".encode()
    with pytest.raises(BudgetFileError) as caught:
        read_budget_file(data, "stor.csv")
    assert [(e.line, plain(e.message)) for e in caught.value.errors] == [(0, (
        "filen har fler än 50 000 rader under rubrikraden, och så många läser jag inte; jag "
        "slutade läsa vid rad 50 002. Dela upp filen, till exempel en fil per år"))]
    # Exactly the limit is read.
    assert len(read_budget_file(data.rsplit(b"Vidare", 1)[0], "stor.csv")) == 50_000
    wide = f"{';'.join(HEADER)}\nVidare Vy;2021;1;;;{';' * 15}x\n".encode()
    with pytest.raises(BudgetFileError) as caught:
        read_budget_file(wide, "bred.csv")
    assert [(e.line, plain(e.message)) for e in caught.value.errors] == [(0, (
        "filen har fler än 20 kolumner, och så många läser jag inte; jag slutade läsa vid "
        "rad 2, kolumn 21. Ta bort kolumnerna till höger om de 20 första"))]
