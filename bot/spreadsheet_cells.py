"""Text a person typed, written into the spreadsheets the bot exports (the budget as CSV or
XLSX, the decision register as CSV), so that a spreadsheet never runs it as a formula.

A cell that starts with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(1+1)`). As OWASP's advice on CSV
injection says, such text gets a leading apostrophe in CSV, which the spreadsheet shows as
text; in XLSX it is written as a string cell, never a formula. Amounts, years and dates are
written by the bot itself and stay numbers."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """`text` for a CSV cell: with a leading apostrophe if a spreadsheet would compute it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def from_csv_text(text: str) -> str:
    """The text `csv_text` escaped, so that an exported file reads back as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def xlsx_text(cell: Any) -> None:
    """Keep an openpyxl cell that holds typed text a string: openpyxl itself turns any
    string that starts with '=' into a formula. The quote prefix keeps it text in Excel
    also when someone edits the cell."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True
