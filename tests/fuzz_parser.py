"""atheris target for the command parser (run by tests/test_fuzz.py for a few seconds):
parse() must never raise, and what it returns must be a real command of the text."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from bot.clean import clean_text
    from bot.parser import parse


def target(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    prefix = provider.PickValueInList(["!", "!", "/", "§"])
    text = provider.ConsumeUnicode(4096)
    parsed = parse(text, prefix)
    if parsed is not None:
        assert text.strip().startswith(prefix), text
        assert parsed.name and parsed.name == parsed.name.lower(), text
        assert parsed.args == parsed.args.strip(), text
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # storable
    assert "\x00" not in cleaned


if __name__ == "__main__":
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
