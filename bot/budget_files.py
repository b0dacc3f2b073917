"""Budget files as the economy office exports them: CSV (comma or semicolon, UTF-8 or the
Windows-1252 that Swedish Excel writes) and XLSX. Columns: insats, år, beviljat, utfall,
datum, kommentar. The whole file is checked before anything is stored."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.amounts import MAX_ORE, AmountError, ore_to_decimal, parse_amount
from bot.clean import clean_text
from bot.dates import parse_date, parse_year
from bot.spreadsheet_cells import csv_text, from_csv_text, xlsx_text
from storage.budget_lines import BudgetLine

COLUMNS = ("insats", "år", "beviljat", "utfall", "datum", "kommentar")
_HEADER_ALIASES = {"ar": "år", "year": "år", "namn": "insats", "belopp beviljat": "beviljat",
                   "budget": "beviljat", "anslag": "beviljat", "kostnad": "utfall",
                   "resultat": "utfall", "bokföringsdatum": "datum", "date": "datum",
                   "kommentarer": "kommentar", "källa": "kommentar", "comment": "kommentar"}
MAX_ERRORS = 5
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    line: int  # 0: the file as a whole
    message: str


class BudgetFileError(Exception):
    """The file is rejected whole; `errors` say where and why, in Swedish."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(f"rad {e.line}: {e.message}" for e in errors))
        self.errors = errors


def read_budget_file(data: bytes, filename: str = "", default_year: int | None = None
                     ) -> list[BudgetLine]:
    if len(data) > MAX_BYTES:
        raise BudgetFileError([RowError(0, "filen är större än 20 MB")])
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _lines(_xlsx_rows(data), default_year)
    rows, delimiter = _csv_rows(data)
    return _lines(rows, default_year, delimiter)


def _csv_rows(data: bytes) -> tuple[list[tuple[int, list[object]]], str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Swedish Excel's "CSV (semikolon)"
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max(";,\t", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(reader.line_num, list(row)) for row in reader], delimiter


def _xlsx_rows(data: bytes) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise BudgetFileError([RowError(0, "filen är ingen Excel-fil (xlsx) jag kan läsa")]
                              ) from None
    try:
        sheet = book.worksheets[0]
        return [(number, list(values)) for number, values
                in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()


def _header(cells: list[object]) -> dict[str, int] | None:
    names = [re.sub(r"\s+", " ", str(c or "")).strip().casefold() for c in cells]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        name = _HEADER_ALIASES.get(name, name)
        if name in COLUMNS and name not in columns:
            columns[name] = index
    return columns if "insats" in columns else None


def _lines(rows: list[tuple[int, list[object]]], default_year: int | None,
           delimiter: str | None = None) -> list[BudgetLine]:
    """`delimiter` is the CSV's; None for XLSX."""
    rows = [(n, cells) for n, cells in rows if any(_text(c) for c in cells)]
    if not rows:
        raise BudgetFileError([RowError(0, "filen är tom")])
    header_line, header_cells = rows[0]
    columns = _header(header_cells)
    if columns is None:
        raise BudgetFileError([RowError(header_line, "första raden ska vara rubriker: "
                                        + ", ".join(COLUMNS))])
    if "år" not in columns and default_year is None:
        raise BudgetFileError([RowError(header_line, "kolumnen år saknas; ange året med "
                                        "--år ÅÅÅÅ (eller !budget import ÅÅÅÅ)")])
    if "beviljat" not in columns and "utfall" not in columns:
        raise BudgetFileError([RowError(header_line, "kolumnen beviljat eller utfall saknas")])
    lines: list[BudgetLine] = []
    errors: list[RowError] = []
    width = max(i for i, c in enumerate(header_cells) if _text(c)) + 1
    for number, cells in rows[1:]:
        if delimiter is not None and any(_text(c) for c in cells[width:]):
            # An unquoted decimal comma shifts the row: '404315,57' becomes two amounts.
            errors.append(RowError(number, _too_wide(cells, width, delimiter)))
            continue
        if delimiter is not None:  # our own export's '=… read back as it was typed
            cells = [from_csv_text(c) if isinstance(c, str) else c for c in cells]
        def cell(name: str, cells: list[object] = cells) -> object:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None
        try:
            lines.append(_line(number, cell, default_year))
        except ValueError as error:
            errors.append(RowError(number, str(error)))
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            more = len(errors) - MAX_ERRORS
            shown.append(RowError(0, f"… och {more} {'rad' if more == 1 else 'rader'} till "
                                     "med fel"))
        raise BudgetFileError(shown)
    if not lines:
        raise BudgetFileError([RowError(0, "filen har inga rader under rubrikerna")])
    return lines


def _too_wide(cells: list[object], width: int, delimiter: str) -> str:
    used = max(i for i, c in enumerate(cells) if _text(c)) + 1
    message = f"raden har {used} fält men rubrikraden bara {width}"
    if delimiter == ",":
        return (message + "; skriv belopp med decimaler inom citattecken (\"404315,57\") "
                "eller spara filen med semikolon som avgränsare")
    return message + "; ta bort det som står till höger om sista rubriken"


def _text(value: object) -> str:
    """A cell as text, cleaned as chat text is: the file is input like any message."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)).strip()


def _line(number: int, cell, default_year: int | None) -> BudgetLine:  # type: ignore[no-untyped-def]
    name = re.sub(r"\s+", " ", _text(cell("insats")))
    if not name:
        raise ValueError("insatsens namn saknas")
    if len(name) > 200:
        raise ValueError("insatsens namn är längre än 200 tecken")
    raw_year = _text(cell("år"))
    year = parse_year(raw_year) if raw_year else default_year
    if year is None:
        raise ValueError(f"”{raw_year}” är inget år (skriv t.ex. 2021)")
    granted = _amount(cell("beviljat"), "beviljat")
    spent = _amount(cell("utfall"), "utfall")
    day = _date(cell("datum"))
    comment = _text(cell("kommentar"))[:300]
    return BudgetLine(number, name, year, granted, spent, day, comment)


def _amount(value: object, column: str) -> int | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{column}: ”{value}” är inget belopp")
    if isinstance(value, int | float | Decimal):
        number = float(value)
        # The same limit as typed amounts: a stray 1E+18 is an error on its row, not a crash
        # when the store writes it.
        if not math.isfinite(number) or abs(number) * 100 >= MAX_ORE:
            raise ValueError(f"{column}: ”{_text(value)}” är inget belopp (för stort belopp); "
                             "skriv t.ex. 455 000 eller 404 315,57")
        # Excel keeps numbers as binary floats; round to öre before going exact.
        ore = Decimal(str(round(number, 2))) * 100
        return abs(int(ore))
    try:
        # Costs are negative in the accounts; both grant and outcome are stored positive.
        return abs(parse_amount(str(value)))
    except AmountError as error:
        why = "" if error.reason == "inget belopp" else f" ({error.reason})"
        raise ValueError(f"{column}: ”{_text(value)}” är inget belopp{why}; "
                         "skriv t.ex. 455 000 eller 404 315,57") from None


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    day = parse_date(text[:10]) if re.match(r"^\d{4}-\d{1,2}-\d{1,2}( 00:00(:00)?)?$", text) \
        else None
    if day is None:
        raise ValueError(f"datum: ”{text}” är inget datum (skriv ÅÅÅÅ-MM-DD, t.ex. 2021-06-30)")
    return day


# --- export -------------------------------------------------------------------------------


def _plain_amount(ore: int | None) -> str:
    """'455000' or '404315,57': what Swedish Excel reads as a number."""
    if ore is None:
        return ""
    kronor, rest = divmod(ore, 100)
    return f"{kronor},{rest:02d}" if rest else str(kronor)


def write_csv(lines: list[BudgetLine]) -> bytes:
    """Semicolon CSV in UTF-8 with a byte order mark: Swedish Excel opens it as it is."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for ln in lines:
        writer.writerow([csv_text(clean_text(ln.insats)), ln.year, _plain_amount(ln.granted_ore),
                         _plain_amount(ln.spent_ore), ln.day.isoformat() if ln.day else "",
                         csv_text(clean_text(ln.comment))])
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(lines: list[BudgetLine]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Budget"
    sheet.append(list(COLUMNS))
    for number, ln in enumerate(lines, start=2):
        # Cleaned: openpyxl refuses control characters, which rows stored before the
        # import cleaned its cells may hold.
        sheet.append([clean_text(ln.insats), ln.year,
                      ore_to_decimal(ln.granted_ore) if ln.granted_ore is not None else None,
                      ore_to_decimal(ln.spent_ore) if ln.spent_ore is not None else None,
                      ln.day, clean_text(ln.comment) or None])
        xlsx_text(sheet.cell(number, 1))  # insats and kommentar are typed text
        xlsx_text(sheet.cell(number, 6))
        for column in (3, 4):
            sheet.cell(number, column).number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
