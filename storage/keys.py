"""How people are compared: a name by its exact letters, an id as the platform spells it.

A name is the same name only letter for letter (after Unicode NFKC, which makes composed
and decomposed "å" one letter, and with runs of spaces as one space). Case and accents are
never folded into a match: "ARNE UTÅN ID" is not "Arne Utan Id". An id from the config
(`ids`) matches the platform's id without regard to case, since Teams UPNs and e-mail
addresses are case-insensitive and Matrix ids are lower case."""

from __future__ import annotations

import unicodedata


def name_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def id_key(text: str) -> str:
    return name_key(text).casefold()
