"""Returned money: an utfall that is a credit (återbetalning, kreditfaktura) is stored as a
negative amount and lowers the utfall, so what återstår includes it.

In the chat a minus sign says it (`!utfall Vidare Vy -12 000 återbetalning`). In a file a
sign says nothing, since the accounts write costs negative: there the row's comment
("Återbetalning av bidrag") or a `kredit` column ("ja") says so."""

from __future__ import annotations

import re

from bot.clean import clean_text

# Words a kommun's ekonom writes on a returned payment or a credit note; whole words, so
# that 'kreditkort' (a cost paid by card) and 'återförsäljare' are no credits.
_CREDIT_WORDS = re.compile(
    r"\b(?:[åa]terbetal(?:ning|ningar|t|d|da|as|ade)?|kredit(?:ering|faktura|nota|erad|erat)?"
    r"|[åa]terf[öo]r(?:ing|d|da|t))\b", re.IGNORECASE)
_YES = ("ja", "j", "x", "1", "kredit", "sant", "true", "yes")
_NO = ("", "nej", "n", "0", "falskt", "false", "no", "-")


def comment_says_credit(comment: str) -> bool:
    """'Återbetalning av bidrag', 'Kreditfaktura 4711', 'återförd kostnad'."""
    return _CREDIT_WORDS.search(comment) is not None


class NotYesOrNo(ValueError):
    """A `kredit` cell that is neither yes nor no; bot.budget_files words it for its row."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def kredit_cell(value: object) -> bool:
    """A `kredit` column's cell: ja/x/1 is a credit, nej/0/empty is not; anything else is
    an error on the row (NotYesOrNo)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float) and value in (0, 1):
        return value == 1
    text = clean_text(str(value)).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise NotYesOrNo(clean_text(str(value)).strip())


def file_outcome_ore(ore: int, comment: str, kredit: object = None) -> int:
    """An utfall read from a file, in öre: negative when the comment or the `kredit` cell
    makes it a credit, otherwise a cost (positive), whatever its sign in the file."""
    credit = kredit_cell(kredit) or comment_says_credit(comment)
    return -abs(ore) if credit else abs(ore)


def chat_outcome_ore(ore: int, comment: str) -> int:
    """An utfall typed in the chat: a minus sign or a comment like 'återbetalning' makes it
    a credit."""
    return -abs(ore) if ore < 0 or comment_says_credit(comment) else abs(ore)
