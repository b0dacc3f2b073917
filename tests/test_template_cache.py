"""Compiled templates are kept between runs (bot/template_cache.py, issue 19): a new
process renders from them without compiling, renders the same text, compiles an edited
template anew, and a cache it cannot write never fails a reply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader

from bot.template_cache import compiled_templates


def _env(templates: Path, cache: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(templates)),
                       bytecode_cache=compiled_templates("test", str(cache)))


def _no_compile(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("compiled although the cache holds it")


def test_a_new_environment_renders_from_the_kept_compilation(tmp_path: Path) -> None:
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    cache.mkdir()
    (templates / "svar.md.j2").write_text("§ {{ n }} är justerad.", encoding="utf-8")
    first = _env(templates, cache).get_template("svar.md.j2").render(n=12)
    assert first == "§ 12 är justerad."
    assert [p.name.startswith("finsam-bot-test-") for p in cache.iterdir()] == [True]

    again = _env(templates, cache)
    again.compile = _no_compile  # type: ignore[method-assign]
    assert again.get_template("svar.md.j2").render(n=12) == first

    (templates / "svar.md.j2").write_text("§ {{ n }} är anslagen.", encoding="utf-8")
    edited = _env(templates, cache)
    assert edited.get_template("svar.md.j2").render(n=12) == "§ 12 är anslagen."


def test_a_cache_that_cannot_be_written_only_costs_the_compile(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    cache.mkdir()
    (templates / "svar.md.j2").write_text("Mötet är öppnat.", encoding="utf-8")
    env = _env(templates, cache)
    cache.rmdir()  # gone under the running bot
    assert env.get_template("svar.md.j2").render() == "Mötet är öppnat."
    # A cache file that is not a compiled template is compiled over.
    cache.mkdir()
    env = _env(templates, cache)
    env.get_template("svar.md.j2")
    (kept,) = cache.iterdir()
    kept.write_bytes(b"j2 inte en mall")
    assert _env(templates, cache).get_template("svar.md.j2").render() == "Mötet är öppnat."
