"""argparse in Swedish: the command line is used by a förbund's secretary and IT person,
so its usage lines and errors follow the rest of the bot. argparse looks its strings up
through its module-level gettext function at run time; we answer from this table."""

from __future__ import annotations

import argparse

SWEDISH = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "val",
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "the following arguments are required: %s": "det här saknas: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "expected one argument": "ett värde behövs",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "ogiltigt värde: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s":
        "tvetydigt val: %(option)s kan vara %(matches)s",
}


def install() -> None:
    argparse._ = lambda text: SWEDISH.get(text, text)  # type: ignore[attr-defined]
