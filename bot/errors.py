"""Errors a user can act on. They carry a template macro, rendered as the reply."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Something the user typed or asked for is wrong; the reply says what to type instead.
    Keyword values must be plain data (text, numbers, dates): the transaction is rolled back
    before the reply is rendered.
    `macro` names a macro in templates/replies/fel.md.j2."""

    def __init__(self, macro: str, **kwargs: Any) -> None:
        super().__init__(macro)
        self.macro = macro
        self.kwargs = kwargs
