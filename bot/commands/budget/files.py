"""Budget files as the economy office exports them: CSV (comma or semicolon, UTF-8 or the
Windows-1252 that Swedish Excel writes) and XLSX. Columns: insats, år, beviljat, utfall,
datum, kommentar, and an optional kredit (bot.commands.budget.credit). The whole file is checked
before anything is stored, within hard limits (20 MB, 50 000 rows under the header,
20 columns); errors are codes with values, worded in templates/replies/budgetfil.md.j2."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from bot.clean import clean_text
from bot.commands.budget.amounts import MAX_ORE, AmountError, ore_to_decimal, parse_amount
from bot.commands.budget.credit import NotYesOrNo, file_outcome_ore
from bot.dates import parse_date, parse_year
from bot.render import render
from bot.spreadsheet_cells import csv_text, from_csv_text, xlsx_text
from storage.budget_lines import BudgetLine

COLUMNS = ("insats", "år", "beviljat", "utfall", "datum", "kommentar", "kredit")
_HEADER_ALIASES = {"ar": "år", "year": "år", "namn": "insats", "belopp beviljat": "beviljat",
                   "budget": "beviljat", "anslag": "beviljat", "kostnad": "utfall",
                   "resultat": "utfall", "bokföringsdatum": "datum", "date": "datum",
                   "kommentarer": "kommentar", "källa": "kommentar", "comment": "kommentar"}
MAX_ERRORS = 5
MAX_BYTES = 20 * 1024 * 1024
# Hard limits, whatever the file says of itself: reading stops at the first value past them.
MAX_ROWS = 50_000  # under the header
MAX_COLUMNS = 20

Rows = Iterator[tuple[int, list[object]]]


@dataclass(frozen=True)
class RowError:
    """What is wrong on one line (0: the file as a whole): a macro of
    templates/replies/budgetfil.md.j2 and its values."""

    line: int
    code: str
    values: dict[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render("budgetfil", self.code, **self.values).text


class BudgetFileError(Exception):
    """The file is rejected whole; `errors` say where and why."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(f"rad {e.line}: {e.message}" for e in errors))
        self.errors = errors


def _fail(line: int, code: str, **values: object) -> BudgetFileError:
    return BudgetFileError([RowError(line, code, values)])


def read_budget_file(data: bytes, filename: str = "", default_year: int | None = None
                     ) -> list[BudgetLine]:
    """Every row checked, or BudgetFileError. Rows are read one at a time, so memory is
    the file, its text and the lines, never the grid a sheet claims to be."""
    if len(data) > MAX_BYTES:
        raise _fail(0, "för_stor", mb=MAX_BYTES // (1024 * 1024))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _lines(_xlsx_rows(data), default_year)
    rows, delimiter = _csv_rows(data)
    return _lines(rows, default_year, delimiter)


def _csv_rows(data: bytes) -> tuple[Rows, str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Swedish Excel's "CSV (semikolon)"
    first = next((ln for ln in _text_lines(text) if ln.strip()), "")
    delimiter = max(";,\t", key=first.count) if first else ","
    return _csv_limited(text, delimiter), delimiter


def _text_lines(text: str) -> Iterator[str]:
    """The lines with their ends, without a second copy of the text (csv wants them so)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _csv_limited(text: str, delimiter: str) -> Rows:
    reader = csv.reader(_text_lines(text), delimiter=delimiter)
    try:
        for row in reader:
            number = reader.line_num
            used = [i for i, c in enumerate(row) if c.strip()]
            if not used:
                continue
            if number > MAX_ROWS + 1:
                raise _fail(0, "för_många_rader", gräns=MAX_ROWS, rad=number)
            if used[-1] >= MAX_COLUMNS:
                raise _fail(0, "för_många_kolumner", gräns=MAX_COLUMNS, rad=number,
                            kolumn=used[-1] + 1)
            yield number, list(row)
    except csv.Error:
        raise _fail(reader.line_num, "trasig_csv") from None


def _xlsx_rows(data: bytes) -> Rows:
    # The XML parser loads with the first spreadsheet, not at start (issue 19).
    from bot.commands.budget.xlsx_rows import NotXlsx, SheetLimit, column_letters, sheet_rows

    try:
        yield from sheet_rows(data, MAX_ROWS + 1, MAX_COLUMNS)
    except NotXlsx:
        raise _fail(0, "inte_xlsx") from None
    except SheetLimit as limit:
        if limit.kind == "rader":
            raise _fail(0, "för_många_rader", gräns=MAX_ROWS, rad=limit.row) from None
        raise _fail(0, "för_många_kolumner", gräns=MAX_COLUMNS, rad=limit.row,
                    kolumn=column_letters(limit.column)) from None


def _header(cells: list[object]) -> dict[str, int] | None:
    names = [re.sub(r"\s+", " ", str(c or "")).strip().casefold() for c in cells]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        name = _HEADER_ALIASES.get(name, name)
        if name in COLUMNS and name not in columns:
            columns[name] = index
    return columns if "insats" in columns else None


def _lines(rows: Rows, default_year: int | None, delimiter: str | None = None
           ) -> list[BudgetLine]:
    """`delimiter` is the CSV's; None for XLSX."""
    filled = ((n, cells) for n, cells in rows if any(_text(c) for c in cells))
    first = next(filled, None)
    if first is None:
        raise _fail(0, "tom")
    header_line, header_cells = first
    columns = _header(header_cells)
    if columns is None:
        raise _fail(header_line, "rubriker", kolumner=list(COLUMNS))
    if "år" not in columns and default_year is None:
        raise _fail(header_line, "saknar_år")
    if "beviljat" not in columns and "utfall" not in columns:
        raise _fail(header_line, "saknar_beloppskolumn")
    lines: list[BudgetLine] = []
    errors: list[RowError] = []
    width = max(i for i, c in enumerate(header_cells) if _text(c)) + 1
    for number, cells in filled:
        if delimiter is not None and any(_text(c) for c in cells[width:]):
            # An unquoted decimal comma shifts the row: '404315,57' becomes two amounts.
            used = max(i for i, c in enumerate(cells) if _text(c)) + 1
            errors.append(RowError(number, "för_bred", {"fält": used, "bredd": width,
                                                        "komma": delimiter == ","}))
            continue
        if delimiter is not None:  # our own export's '=… read back as it was typed
            cells = [from_csv_text(c) if isinstance(c, str) else c for c in cells]
        def cell(name: str, cells: list[object] = cells) -> object:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None
        try:
            lines.append(_line(number, cell, default_year))
        except BudgetFileError as error:
            errors.extend(error.errors)
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            shown.append(RowError(0, "fler_fel", {"antal": len(errors) - MAX_ERRORS}))
        raise BudgetFileError(shown)
    if not lines:
        raise _fail(0, "inga_rader")
    return lines


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
        raise _fail(number, "namn_saknas")
    if len(name) > 200:
        raise _fail(number, "namn_för_långt", max=200)
    raw_year = _text(cell("år"))
    year = parse_year(raw_year) if raw_year else default_year
    if year is None:
        raise _fail(number, "inget_år", text=raw_year)
    granted = _amount(number, cell("beviljat"), "beviljat")
    spent = _amount(number, cell("utfall"), "utfall")
    day = _date(number, cell("datum"))
    comment = _text(cell("kommentar"))[:300]
    if spent is not None:  # returned money: the comment or the kredit column says so
        try:
            spent = file_outcome_ore(spent, comment, cell("kredit"))
        except NotYesOrNo as error:
            raise _fail(number, "inte_ja_nej", kolumn="kredit", text=error.text) from None
    return BudgetLine(number, name, year, granted, spent, day, comment)


def _amount(number: int, value: object, column: str) -> int | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, bool):
        raise _fail(number, "inget_belopp", kolumn=column, text=str(value), skäl="")
    if isinstance(value, int | float | Decimal):
        amount = float(value)
        # The same limit as typed amounts: a stray 1E+18 is an error on its row, not a crash
        # when the store writes it.
        if not math.isfinite(amount) or abs(amount) * 100 >= MAX_ORE:
            raise _fail(number, "inget_belopp", kolumn=column, text=_text(value),
                        skäl=AmountError(_text(value), "för_stort").reason)
        # Excel keeps numbers as binary floats; round to öre before going exact.
        ore = Decimal(str(round(amount, 2))) * 100
        return abs(int(ore))
    try:
        # Costs are negative in the accounts, so the sign says nothing: a grant is positive and
        # an utfall a cost unless its comment or kredit column says credit (_line).
        return abs(parse_amount(str(value)))
    except AmountError as error:
        why = "" if error.code == "inget_belopp" else error.reason
        raise _fail(number, "inget_belopp", kolumn=column, text=_text(value), skäl=why
                    ) from None


def _date(number: int, value: object) -> date | None:
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
        raise _fail(number, "inget_datum", text=text)
    return day


# --- export -------------------------------------------------------------------------------


def _plain_amount(ore: int | None) -> str:
    """'455000' or '404315,57': what Swedish Excel reads as a number."""
    if ore is None:
        return ""
    kronor, rest = divmod(abs(ore), 100)
    sign = "-" if ore < 0 else ""
    return f"{sign}{kronor},{rest:02d}" if rest else f"{sign}{kronor}"


def _kredit(ln: BudgetLine) -> str:
    """'ja' on a credit's row, so the file reads back as the same credit."""
    return "ja" if ln.spent_ore is not None and ln.spent_ore < 0 else ""


def write_csv(lines: list[BudgetLine]) -> bytes:
    """Semicolon CSV in UTF-8 with a byte order mark: Swedish Excel opens it as it is."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for ln in lines:
        writer.writerow([csv_text(clean_text(ln.insats)), ln.year, _plain_amount(ln.granted_ore),
                         _plain_amount(ln.spent_ore), ln.day.isoformat() if ln.day else "",
                         csv_text(clean_text(ln.comment)), _kredit(ln)])
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
                      ln.day, clean_text(ln.comment) or None, _kredit(ln) or None])
        xlsx_text(sheet.cell(number, 1))  # insats and kommentar are typed text
        xlsx_text(sheet.cell(number, 6))
        for column in (3, 4):
            sheet.cell(number, column).number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
