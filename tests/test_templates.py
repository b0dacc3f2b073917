"""Every template compiles, and no two reply macros share a name within a file."""

from __future__ import annotations

import re

import pytest

from bot import render
from bot.render import TEMPLATES

# Adaptive Card templates (cards/) have their own environment in the Teams transport.
FILES = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.j2")
               if not p.relative_to(TEMPLATES).as_posix().startswith("cards/"))


@pytest.mark.parametrize("name", FILES)
def test_template_compiles_and_macros_are_unique(name: str) -> None:
    render._markdown().get_template(name)
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    macros = re.findall(r"{%-?\s*macro\s+(\w+)", source)
    duplicates = {m for m in macros if macros.count(m) > 1}
    assert not duplicates, f"{name} defines {duplicates} twice"
