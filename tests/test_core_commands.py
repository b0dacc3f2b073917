"""Command declarations (bot/core/commands.py, bot/core/args.py): how text resolves to a
form, what an unknown sub-command is told, arguments and their errors, and registries that
one app's setup cannot leak into another's."""

from __future__ import annotations

import re

import pytest

from bot.core.args import Date, ParagraphRef, Ref, Text, Year, parse_args
from bot.core.commands import RECORD, Command, Registry, Sub, subcommand
from bot.errors import UserError
from bot.render import render


def _echo(name: str):  # type: ignore[no-untyped-def]
    """A handler that returns what it got, to see which form ran with which text."""
    return lambda ctx, *values: (name, values)


def _meeting() -> Command:
    cmd = Command("möte", summary="Sammanträdet.", permission=RECORD)
    cmd.sub("öppna", aliases=["open"], usage=["!möte öppna [plats]"],
            examples=["!möte öppna Stadshuset"])(_echo("öppna"))
    cmd.sub("ta bort", aliases=["radera"], usage=["!möte ta bort <namn>"])(_echo("ta bort"))
    cmd.bare(usage=["!möte"])(_echo("status"))
    return cmd


def _budget() -> Command:
    cmd = Command("budget", summary="Budget.")
    cmd.default(usage=["!budget <insats> [år]"], examples=["!budget Vidare Vy"])(_echo("visa"))
    cmd.sub("eget kapital", aliases=["egetkapital"], permission=RECORD,
            usage=["!budget eget kapital <belopp>"])(_echo("eget kapital"))
    cmd.sub("ångra", permission=RECORD, args=[], usage=["!budget ångra"])(_echo("ångra"))
    cmd.sub("diagram", args=[Year()], usage=["!budget diagram [år]"],
            examples=["!budget diagram", "!budget diagram 2021"])(_echo("diagram"))
    return cmd


def test_sub_commands_match_whatever_the_case_and_accents() -> None:
    cmd = _meeting()
    for text in ("öppna Stadshuset", "Öppna Stadshuset", "OPPNA Stadshuset", "open Stadshuset"):
        sub, rest = cmd.resolve(text)
        assert (sub.name, rest) == ("öppna", "Stadshuset"), text
    sub, rest = cmd.resolve("  Ta   BORT  Anna Andersson ")
    assert (sub.label, rest) == ("möte ta bort", "Anna Andersson")
    assert cmd.resolve("radera Anna")[0].name == "ta bort"
    assert cmd.resolve("")[0].kind == "bare"


def test_longest_name_wins_and_a_form_without_arguments_matches_only_alone() -> None:
    cmd = _budget()
    assert cmd.resolve("eget kapital 1 000 2021") == (cmd.named[0], "1 000 2021")
    assert cmd.resolve("egetkapital 1 000")[0].name == "eget kapital"
    # 'Eget företagande' is an insats, not the eget kapital.
    assert cmd.resolve("eget företagande")[0].kind == "default"
    assert cmd.resolve("ångra")[0].name == "ångra"
    assert cmd.resolve("ångra något")[0].kind == "default"


def test_unknown_sub_command_is_answered_with_the_declared_forms() -> None:
    cmd = _meeting()
    with pytest.raises(UserError) as caught:
        cmd.resolve("paus nu")
    error = caught.value
    assert (error.macro, error.kwargs) == ("okänd_underkommando", {
        "kommando": "möte", "text": "paus nu",
        "former": ["!möte öppna [plats]", "!möte ta bort <namn>", "!möte"]})
    assert render("fel", error.macro, **error.kwargs).text == (
        "!möte förstår inte ”paus nu”. Skriv:\n- !möte öppna [plats]\n"
        "- !möte ta bort <namn>\n- !möte")


def test_a_pattern_form_takes_only_text_of_its_shape() -> None:
    cmd = Command("uppdrag", summary="Uppdrag.")
    cmd.bare(usage=["!uppdrag"])(_echo("lista"))
    cmd.default(pattern=re.compile(r"^(?P<nr>\d+)\s+senast\s+(?P<när>.+)$"), permission=RECORD,
                usage=["!uppdrag <nr> senast <datum>"])(_echo("datum"))
    sub, rest = cmd.resolve("3 senast 2022-05-20")
    assert sub.call(None, rest)[1][0]["när"] == "2022-05-20"  # type: ignore[arg-type]
    with pytest.raises(UserError) as caught:
        cmd.resolve("foo bar")
    assert caught.value.kwargs["former"] == ["!uppdrag", "!uppdrag <nr> senast <datum>"]


def test_usage_and_examples_are_the_forms_in_declaration_order() -> None:
    cmd = _budget()
    assert cmd.usage == ["!budget <insats> [år]", "!budget eget kapital <belopp>",
                         "!budget ångra", "!budget diagram [år]"]
    assert cmd.examples == ["!budget Vidare Vy", "!budget diagram", "!budget diagram 2021"]
    # An error suggests the first example that has arguments.
    assert cmd.named[2].example == "budget diagram 2021"


def test_declarations_refuse_contradictions() -> None:
    cmd = _meeting()
    with pytest.raises(ValueError, match="declared twice"):
        cmd.sub("Öppna", usage=["!möte öppna"])(_echo("x"))
    with pytest.raises(ValueError, match="two bare forms"):
        cmd.bare()(_echo("x"))
    with pytest.raises(ValueError, match="open to readers"):
        cmd.sub("läs", permission="läsa")(_echo("x"))


def test_arguments_parse_into_values_or_say_what_to_type() -> None:
    sub = Sub(command="ändra", name="", kind="default", handler=_echo("ändra"),
              usage=("!ändra §N <ny text>",), examples=("!ändra §26 Ny text.",),
              args=(Ref(), Text()))
    ref, text = parse_args(sub, "§ 26 Styrelsen beslutar.")
    assert ref == ParagraphRef(26, None, None, "Styrelsen beslutar.")
    assert text == "Styrelsen beslutar."
    with pytest.raises(UserError) as caught:
        parse_args(sub, "§26")
    assert (caught.value.macro, caught.value.kwargs) == (
        "saknar_text", {"kommando": "ändra", "exempel": "ändra §26 Ny text."})
    with pytest.raises(UserError) as caught:
        parse_args(sub, "26 text")
    assert caught.value.macro == "paragraf_saknas_i_kommando"

    show = Sub(command="visa", name="", kind="default", handler=_echo("visa"),
               usage=("!visa §N [år]",), args=(Ref(year_allowed=True),))
    assert parse_args(show, "§3 2021") == [ParagraphRef(3, None, 2021, "")]
    with pytest.raises(UserError) as caught:
        parse_args(show, "§3 förra året")
    assert (caught.value.macro, caught.value.kwargs) == (
        "oväntad_text", {"text": "förra året", "kommando": "visa", "former": ["!visa §N [år]"]})

    diagram = _budget().named[2]
    assert parse_args(diagram, "") == [None] and parse_args(diagram, "2021") == [2021]
    with pytest.raises(UserError) as caught:
        parse_args(diagram, "20x")
    assert caught.value.kwargs == {"text": "20x", "exempel": "budget diagram 2021"}

    day = Sub(command="protokoll", name="", kind="default", handler=_echo("dag"),
              args=(Date(),))
    assert str(parse_args(day, "2022-03-25")[0]) == "2022-03-25"
    with pytest.raises(UserError) as caught:
        parse_args(day, "2022-13-45")
    assert caught.value.kwargs == {"text": "2022-13-45", "kommando": "protokoll"}


def test_another_capabilitys_sub_command_stays_in_its_own_registry() -> None:
    meeting = _meeting()
    ready = subcommand("möte", "klart", permission=RECORD,
                       usage=["!möte klart"])(_echo("klart"))
    late, early = Registry(), Registry()
    late.add(meeting)
    late.extend(ready)  # after the command came
    early.extend(ready)  # before it came: added with it
    early.add(meeting)
    plain = Registry()
    plain.add(meeting)
    for registry in (late, early):
        found = registry.get("MÖTE")
        assert found is not None and found.resolve("klart")[0] is ready
        assert found.usage[-1] == "!möte klart"
    # Neither the declaration nor an app without the capability got it.
    assert "!möte klart" not in meeting.usage
    with pytest.raises(UserError):
        plain.get("möte").resolve("klart")  # type: ignore[union-attr]


def test_registry_refuses_a_name_twice_and_keeps_the_order_for_help() -> None:
    registry = Registry()
    registry.add(_meeting())
    registry.add(_budget())
    with pytest.raises(ValueError, match="registered twice"):
        registry.add(Command("Möte", summary="igen"))
    registry.extend(subcommand("möte", "klart", usage=["!möte klart"])(_echo("klart")))
    assert list(registry.commands) == ["möte", "budget"]
    assert registry.suggest("budgt") == "budget"


def test_a_form_after_a_paragraph_reference() -> None:
    """`!ändra §26 yrkande 2 <text>`: the form's words follow the §; its handler gets the
    reference and the text after the form's words. Anything else is the default's."""
    cmd = Command("ändra", summary="Ändrar.", permission="protokollföra")
    cmd.default(usage=["!ändra §N <ny text>"], args=[Ref(), Text()])(_echo("default"))
    cmd.add(Sub(command="ändra", name="yrkande", handler=_echo("yrkande"), after_ref=True,
                usage=("!ändra §N yrkande <nr> <ny text>",), args=(Ref(), Text())))
    assert [(s.name, rest) for s, rest in (
        cmd.resolve("§26 yrkande 2 avslag"), cmd.resolve("2020-02-14 §6 Yrkande 1 x"),
        cmd.resolve("§26 Styrelsen beslutar."), cmd.resolve("yrkande §26 2 x"))] == [
        ("yrkande", "§26 2 avslag"), ("yrkande", "2020-02-14 §6 1 x"),
        ("", "§26 Styrelsen beslutar."), ("", "yrkande §26 2 x")]
