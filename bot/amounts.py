"""Amounts as Swedish board papers and spreadsheets write them, parsed to exact öre.

"455 000", "455000", "404 315,57", "-227 223", "455 000 kr", "374 448:-", "1,2 mkr",
"455 tkr", "(227 223)". Never a float: the digits become an integer number of öre."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Spaces Swedish text uses between digit groups: plain, no-break, narrow no-break, thin.
_SPACES = "\u0020\u00a0\u202f\u2009"
_MINUSES = "-\u2212\u2013"
MAX_ORE = 10**15  # 10 000 miljarder kr: far above any förbund, far below BIGINT
_UNITS = {
    "": 1, "kr": 1, "kronor": 1, "krona": 1, "sek": 1, ":-": 1,
    "tkr": 1_000, "tsek": 1_000, "tusen": 1_000, "tusen kr": 1_000,
    "mkr": 1_000_000, "msek": 1_000_000, "miljoner": 1_000_000, "miljoner kr": 1_000_000,
    "milj": 1_000_000, "milj kr": 1_000_000, "mnkr": 1_000_000,
}
_SPACE_CLASS = f"[{_SPACES}]"
# One amount inside a longer chat line: thousands in groups of three (any space), or plain
# digits with an optional decimal part, then an optional unit.
AMOUNT_PATTERN = (
    rf"[{_MINUSES}]?(?:\d{{1,3}}(?:{_SPACE_CLASS}\d{{3}})+(?:[,.]\d+)?"
    rf"|\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|\d+(?:[,.]\d+)?)"
    rf"(?:{_SPACE_CLASS}*(?:tkr|mkr|mnkr|kronor|kr|sek|:-)\.?)?"
)


class AmountError(ValueError):
    """The text is not an amount: `code` (a macro of templates/replies/belopp.md.j2) and its
    `values` say why; `reason` is that short explanation, worded by the template."""

    def __init__(self, text: str, code: str, **values: object) -> None:
        super().__init__(f"{text!r}: {code}")
        self.text = text
        self.code = code
        self.values = values

    @property
    def reason(self) -> str:
        from bot.render import render  # the templates only when a reply is worded

        return render("belopp", self.code, **self.values).text


def parse_amount(text: str) -> int:
    """The amount in öre, signed: '404 315,57' -> 40431557, '-227 223' -> -22722300."""
    original = text
    value = text.strip().casefold()
    for space in _SPACES[1:]:
        value = value.replace(space, " ")
    negative = False
    if value.startswith("(") and value.endswith(")"):  # accounting style for costs
        negative, value = True, value[1:-1].strip()
    if value and value[0] in _MINUSES:
        negative, value = not negative, value[1:].strip()
    value = value.rstrip(".").strip()
    number, unit = _split_unit(value)
    if unit is None:
        raise AmountError(original, "okänd_enhet")
    factor = _UNITS[unit]
    digits = _normalise(number, factor > 1)
    if digits is None:
        raise AmountError(original, "inget_belopp")
    if digits == _AMBIGUOUS:
        raise AmountError(original, "oklart", komma="," in number,
                          tusental=int(re.sub(r"[^0-9]", "", number)))
    try:
        kronor = Decimal(digits) * factor
    except InvalidOperation:
        raise AmountError(original, "inget_belopp") from None
    ore = kronor * 100
    if ore != ore.to_integral_value():
        raise AmountError(original, "för_många_decimaler")
    result = int(ore)
    if result >= MAX_ORE:
        raise AmountError(original, "för_stort")
    return -result if negative else result


def _split_unit(value: str) -> tuple[str, str | None]:
    if value.endswith(":-"):
        return value[:-2].strip(), ":-"
    match = re.match(r"^(.*?\d)\s*([a-zåäö][a-zåäö ]*)?$", value)
    if not match:
        return value, ""
    unit = (match.group(2) or "").strip()
    return match.group(1), unit if unit in _UNITS else None


_AMBIGUOUS = "?"


def _normalise(number: str, scaled: bool) -> str | None:
    """Digits with a '.' decimal point, None, or _AMBIGUOUS. A comma is the decimal sign. A
    dot is one too, except between groups of three ('455.000', '1.234.567,50'), unless a
    unit like 'mkr' says the number is small. Without a unit, a comma or dot before exactly
    three digits that are no such grouping ('1234.500', '455,000') could be either: refused,
    since reading '455.000' as 455 kr is a thousand times wrong."""
    compact = number.replace(" ", "")
    if re.fullmatch(r"\d{1,3}( \d{3})+(,\d+)?", number) is None and " " in number:
        return None  # spaces only between groups of three: "45 50" is not an amount
    if not scaled:
        grouped = re.fullmatch(r"(\d{1,3}(?:\.\d{3})+)(,\d+)?", compact)
        if grouped:
            return grouped.group(1).replace(".", "") + (grouped.group(2) or "").replace(",", ".")
        if re.fullmatch(r"\d+[.,]\d{3}", compact):
            return _AMBIGUOUS
    if re.fullmatch(r"\d+,\d+", compact):
        return compact.replace(",", ".")
    if re.fullmatch(r"\d+(\.\d+)?", compact):
        return compact
    return None


def ore_to_decimal(ore: int) -> Decimal:
    """Kronor with öre as an exact Decimal (for spreadsheets)."""
    return Decimal(ore).scaleb(-2)
