"""The first sheet of an XLSX file as rows of values, read as a stream within hard limits.

A sheet says how big it is (`<dimension ref="A1:XFD1048576"/>`), and openpyxl pads every
row to that size: a 1.6 kB file with one cell in the last row took 3 GB. Here the sheet's
XML is parsed element by element and every cell is dropped once read, whatever the file
declares. Only rows with a value count; reading stops at the first value past the row or
column limit (SheetLimit says which and where). The parts held whole in memory (the shared
strings, the styles, the workbook) are refused above a size the zip itself vouches for
(zipfile never inflates a member past its recorded size)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from xml.etree.ElementTree import Element, iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_PART = 16 * 1024 * 1024  # shared strings, styles, workbook: held whole
# The sheet is streamed; the bound keeps its time short and any one text node small. A full
# 50 000 × 20 sheet of shared strings is about 40 MiB.
MAX_SHEET = 64 * 1024 * 1024
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


class NotXlsx(Exception):
    """Not a spreadsheet this reader can open."""


class SheetLimit(Exception):
    """The sheet goes past a limit: `kind` 'rader' or 'kolumner', at `row` (and `column`)."""

    def __init__(self, kind: str, limit: int, row: int, column: int = 0) -> None:
        super().__init__(f"{kind} > {limit} at row {row}")
        self.kind, self.limit, self.row, self.column = kind, limit, row, column


def column_index(letters: str) -> int:
    """'A' -> 1, 'T' -> 20, 'XFD' -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_rows(data: bytes, max_row: int, max_column: int
               ) -> Iterator[tuple[int, list[object]]]:
    """(row number, values of columns 1..max_column) for every row with a value."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheet = _first_sheet(archive)
        strings = _shared_strings(archive)
        dates = _date_styles(archive)
        if archive.getinfo(sheet).file_size > MAX_SHEET:
            raise NotXlsx("sheet too large")
        source = archive.open(sheet)
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError) as error:
        raise NotXlsx(str(error)) from None
    with source:
        yield from _rows(source, strings, dates, max_row, max_column)


def _rows(source: io.BufferedIOBase, strings: list[str], dates: set[int], max_row: int,
          max_column: int) -> Iterator[tuple[int, list[object]]]:
    number, column = 0, 0
    values: list[object] = []
    # Each element is emptied as soon as it is read, and dropped from its parent: a million
    # empty rows or merged ranges keep nothing in memory.
    parents: list[Element] = []
    try:
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            if event == "start":
                parents.append(element)
                if tag == f"{MAIN}row":
                    number = int(element.get("r") or number + 1)
                    values, column = [None] * max_column, 0
                continue
            parents.pop()
            if tag == f"{MAIN}c":
                ref = _CELL_REF.match(element.get("r") or "")
                column = column_index(ref.group(1)) if ref else column + 1
                value = _value(element, strings, dates)
                if value is not None and value != "":
                    if number > max_row:
                        raise SheetLimit("rader", max_row, number)
                    if column > max_column:
                        raise SheetLimit("kolumner", max_column, number, column)
                    values[column - 1] = value
            elif tag == f"{MAIN}row" and any(v is not None for v in values):
                yield number, values
            if parents and tag not in _KEPT:
                parents[-1].clear()
    except (SyntaxError, ValueError, OverflowError) as error:  # broken XML or cell
        raise NotXlsx(str(error)) from None


# What a cell's value is read from when the cell ends; every other element is dropped from
# its parent once it ends.
_KEPT = {f"{MAIN}{tag}" for tag in ("v", "t", "is", "r", "f")}


def _value(cell: Element, strings: list[str], dates: set[int]) -> object:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
    found = cell.find(f"{MAIN}v")
    text = found.text if found is not None else None
    if text is None:
        return None
    if kind == "s":
        index = int(text)
        return strings[index] if 0 <= index < len(strings) else None
    if kind in ("str", "e"):
        return text if kind == "str" else None
    if kind == "b":
        return text == "1"
    if kind == "d":
        return datetime.fromisoformat(text)
    number = float(text)
    if int(cell.get("s", "0") or 0) in dates:
        from openpyxl.utils.datetime import from_excel  # openpyxl only once a file is read

        return from_excel(number)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART:
        raise NotXlsx(f"{name} too large")
    return archive.read(info)


def _first_sheet(archive: zipfile.ZipFile) -> str:
    workbook, rels = _part(archive, "xl/workbook.xml"), _part(archive, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        raise NotXlsx("no workbook")
    sheet = next(_elements(workbook, f"{MAIN}sheet"), None)
    if sheet is None:
        raise NotXlsx("no sheet")
    target_id = sheet.get(f"{REL}id")
    target = next((r.get("Target", "") for r in _elements(rels, f"{PKG_REL}Relationship")
                   if r.get("Id") == target_id), "")
    if not target:
        raise NotXlsx("no sheet target")
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _elements(data: bytes, tag: str) -> Iterator[Element]:
    for _event, element in iterparse(io.BytesIO(data)):
        if element.tag == tag:
            yield element


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    data = _part(archive, "xl/sharedStrings.xml")
    if data is None:
        return []
    strings: list[str] = []
    for item in _elements(data, f"{MAIN}si"):
        # Rich text has runs (<r><t>…</t></r>); phonetic hints (<rPh>) are not the text.
        strings.append("".join(t.text or "" for t in item.iter(f"{MAIN}t")
                               if t not in _phonetic(item)))
        item.clear()
    return strings


def _phonetic(item: Element) -> set[Element]:
    return {t for ph in item.iter(f"{MAIN}rPh") for t in ph.iter(f"{MAIN}t")}


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles that show a number as a date (Excel keeps dates as days
    since 1900 and says so only in the style)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    data = _part(archive, "xl/styles.xml")
    if data is None:
        return set()
    custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "")
              for f in _elements(data, f"{MAIN}numFmt")}
    dates: set[int] = set()
    xfs = next(_elements(data, f"{MAIN}cellXfs"), None)
    for index, xf in enumerate(xfs.findall(f"{MAIN}xf") if xfs is not None else []):
        code_id = int(xf.get("numFmtId", "0"))
        code = custom.get(code_id) or BUILTIN_FORMATS.get(code_id, "")
        if code and is_date_format(code):
            dates.add(index)
    return dates
