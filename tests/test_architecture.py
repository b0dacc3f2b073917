"""The layout's rules, read from the source (issue 18): storage/ imports nothing from
bot/, every query is in storage/, no module is over 450 lines. Each checker is first shown
a source that breaks its rule, so a checker that sees nothing cannot pass."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`, also those inside functions and
    TYPE_CHECKING blocks."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return sorted(found)


def bot_imports(source: str) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imported_modules(source)
            if name == "bot" or name.startswith("bot.")]


def test_the_import_checker_sees_every_form_of_import() -> None:
    source = (
        "import bot\n"
        "from bot.swedish import fold\n"
        "def f():\n"
        "    import bot.config as c\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from bot import config\n"
        "import botanik\n"
        "from storage.folding import fold\n"
    )
    assert bot_imports(source) == [
        (1, "bot"), (2, "bot.swedish"), (4, "bot.config"), (7, "bot")]


def test_storage_imports_nothing_from_bot() -> None:
    files = modules("storage")
    assert ROOT / "storage" / "tenants.py" in files and len(files) > 10
    offenders = [f"{path.relative_to(ROOT)}:{line}: {name}"
                 for path in files
                 for line, name in bot_imports(path.read_text(encoding="utf-8"))]
    assert offenders == []


# -- every query in storage/ ---------------------------------------------------------------

# The ORM calls that read or write the store; `get` only with a model class as its first
# argument (an HTTP client's `session.get(url)` is not a query).
ORM_METHODS = {"exec", "execute", "add", "add_all", "delete", "merge", "refresh", "flush",
               "scalar", "scalars", "query", "get"}
# Modules still querying the store themselves, being rewritten now (budget import): the
# list may only shrink, and the test says when an entry is no longer needed.
QUERIES_ALLOWED: set[str] = set()


def _is_store_handle(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in ("session", "connection")
    return isinstance(node, ast.Attribute) and node.attr == "session"


def store_queries(source: str) -> list[tuple[int, str]]:
    """(line, what) for each query construct in `source`: `select` imported from sqlmodel
    or sqlalchemy, and ORM calls on a session or connection."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                "sqlmodel", "sqlalchemy"):
            found += [(node.lineno, f"from {node.module} import {alias.name}")
                      for alias in node.names if alias.name == "select"]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ORM_METHODS and _is_store_handle(node.func.value)):
            if node.func.attr == "get" and not (
                    node.args and isinstance(node.args[0], ast.Name)
                    and node.args[0].id[:1].isupper()):
                continue
            found.append((node.lineno, f"{ast.unparse(node.func)}()"))
    return sorted(found)


def test_the_query_checker_sees_selects_and_session_calls() -> None:
    source = (
        "from sqlmodel import Session, select\n"
        "from sqlalchemy import select as sa_select, update\n"
        "def f(session, ctx, url):\n"
        "    session.exec(select(Paragraph)).all()\n"
        "    ctx.session.get(Paragraph, 3)\n"
        "    session.add(row)\n"
        "    connection.execute(table.insert())\n"
        "    session.get(url)\n"
        "    tenants.organ_by_id(session, 3)\n"
        "    cal.add('prodid', 'x')\n"
    )
    assert store_queries(source) == [
        (1, "from sqlmodel import select"), (2, "from sqlalchemy import select"),
        (4, "session.exec()"), (5, "ctx.session.get()"), (6, "session.add()"),
        (7, "connection.execute()")]


def test_every_query_is_in_storage() -> None:
    """bot/ asks storage/ for what it needs (tests and benchmarks read the store directly,
    to check what was written)."""
    files = modules("bot")
    assert ROOT / "bot" / "commands" / "reminders" / "deadlines.py" in files
    found = {str(path.relative_to(ROOT)): store_queries(path.read_text(encoding="utf-8"))
             for path in files}
    offenders = [f"{name}:{line}: {what}" for name, queries in found.items()
                 if name not in QUERIES_ALLOWED for line, what in queries]
    assert offenders == []
    no_longer = sorted(name for name in QUERIES_ALLOWED if not found.get(name))
    assert no_longer == [], "remove these from QUERIES_ALLOWED: they query no more"


# -- module size ---------------------------------------------------------------------------

MAX_LINES = 450
# Modules being changed by others now, to be split after: the list may only shrink.
LONG_ALLOWED: set[str] = set()


def long_modules(paths: list[Path], limit: int = MAX_LINES) -> dict[str, int]:
    counts = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
              for path in paths}
    return {name: lines for name, lines in counts.items() if lines > limit}


def test_the_size_checker_counts_lines() -> None:
    short, long = ROOT / "bot" / "__init__.py", ROOT / "bot" / "transports" / "matrix" / "bot.py"
    assert long_modules([short, long], limit=10) == {
        "bot/transports/matrix/bot.py": len(long.read_text(encoding="utf-8").splitlines())}


def test_no_module_is_over_450_lines() -> None:
    files = [p for folder in ("bot", "storage", "bench") for p in modules(folder)
             if "migrations" not in p.parts]
    found = long_modules(files)
    assert {name: lines for name, lines in found.items() if name not in LONG_ALLOWED} == {}
    no_longer = sorted(LONG_ALLOWED - found.keys())
    assert no_longer == [], "remove these from LONG_ALLOWED: they are short enough now"


# -- a capability in one place -------------------------------------------------------------

# The bot/ root is the core every capability shares; a capability's commands, domain logic,
# CLI and files live in its folder under bot/commands/.
CORE_MODULES = {
    "__init__.py", "__main__.py", "app.py", "clean.py", "cli.py", "cli_swedish.py",
    "config.py", "context.py", "dates.py", "dispatcher.py", "errors.py", "identity.py",
    "leadership.py", "messages.py", "natural_dates.py", "parser.py", "permissions.py",
    "render.py", "runner.py", "spreadsheet_cells.py", "swedish.py", "template_cache.py",
}
# Modules not yet moved to their capability's folder: the list may only shrink.
ROOT_ALLOWED: set[str] = set()


def test_the_bot_root_holds_only_the_core() -> None:
    found = {path.name for path in (ROOT / "bot").glob("*.py")}
    assert found - CORE_MODULES - ROOT_ALLOWED == set(), (
        "a capability's module belongs in its folder under bot/commands/")
    assert CORE_MODULES - found == set(), "remove these from CORE_MODULES: they are gone"
    no_longer = sorted(ROOT_ALLOWED - found)
    assert no_longer == [], "remove these from ROOT_ALLOWED: they have moved"


def test_every_feature_is_a_command_module() -> None:
    from bot.core.app import FEATURES

    names = [feature.__name__ for feature in FEATURES]
    assert "bot.commands.justering.commands" in names and len(names) > 10
    assert [name for name in names if not name.startswith("bot.commands.")] == []


# -- every sentence in a template ------------------------------------------------------------

# Words that make a literal Swedish even without å, ä or ö.
SWEDISH_WORDS = {"och", "att", "det", "som", "en", "ett", "är", "inte", "för", "med", "till",
                 "av", "på", "den", "har", "kan", "ska", "eller", "om", "från", "finns",
                 "saknas", "skriv", "vid", "får", "måste", "efter", "ingen", "inget", "inga",
                 "när", "var", "vem", "här", "där", "än", "så", "men", "nu", "redan", "du",
                 "ni", "jag", "dig", "mig"}
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
LOGGERS = {"log", "logger", "logging", "_log"}
# Keyword arguments whose text is a declaration, not a reply: argparse's help, and a
# command's summary, usage, examples and group (bot/core/commands.py declares them together;
# `kommando`/`exempel` are what a user types, passed to an error's template).
DECLARATION_KEYWORDS = {"help", "description", "epilog", "usage", "summary", "examples",
                        "group", "kommando", "exempel"}
# Names whose value is a command group's heading (declared with the commands) or a pattern.
DECLARATION_NAMES = {"GROUP", "GROUP_ORDER"}
# Files allowed to build sentences (none now; the list may only shrink). argparse's own
# messages in Swedish (cli_swedish.py) are argparse text.
SENTENCES_ALLOWED: set[str] = set()
ARGPARSE_TEXT = {"bot/cli_swedish.py"}


def command_words() -> set[str]:
    """The declared commands' names and aliases: a literal that starts with one is a command
    line a user types (an example passed to an error's template), not a sentence."""
    from bot.core.app import FEATURES
    from bot.core.commands import Command

    return {word for feature in FEATURES for value in vars(feature).values()
            if isinstance(value, Command) for word in (value.name, *value.aliases)}


def _is_swedish_sentence(text: str, commands: set[str]) -> bool:
    if text.isidentifier():  # a template's macro or an error's code
        return False
    words = re.findall(r"[^\W\d_]+", text)
    if words and text.lstrip("!").split()[0] in commands:
        return False
    return len(words) >= 3 and (re.search("[åäöÅÄÖ]", text) is not None
                                or any(word.lower() in SWEDISH_WORDS for word in words))


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes whose text is no reply: docstrings, log calls, declarations and
    regular expressions."""
    exempt: set[int] = set()

    def under(node: ast.AST) -> None:
        exempt.update(id(inner) for inner in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)):
            under(body[0])
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr in LOG_METHODS
                    and isinstance(func.value, ast.Name) and func.value.id in LOGGERS):
                under(node)
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and func.value.id == "re" and node.args):
                under(node.args[0])
            for keyword in node.keywords:
                if keyword.arg in DECLARATION_KEYWORDS:
                    under(keyword.value)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in DECLARATION_NAMES for t in targets):
                under(node)
    return exempt


def swedish_sentences(source: str, commands: set[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, text) for each string literal (an f-string as one, its values as {}) that reads
    as a Swedish sentence: three words or more, with å, ä, ö or a common Swedish word."""
    tree = ast.parse(source)
    exempt = _exempt_nodes(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        if isinstance(node, ast.JoinedStr):
            exempt.update(id(inner) for inner in ast.walk(node))
            text = "".join(part.value if isinstance(part, ast.Constant) else "{}"
                           for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if _is_swedish_sentence(text, commands):
            found.append((node.lineno, text))
    return sorted(found)


def test_the_sentence_checker_finds_swedish_outside_logs_and_declarations() -> None:
    source = (
        '"""Modulens docstring är på svenska och får vara det."""\n'
        'import re\n'
        'def f(organ, log, parser):\n'
        '    """Också en docstring med å."""\n'
        '    raise ValueError(f"Organet {organ} finns inte.")\n'
        '    log.warning("kunde inte nå %s", organ)\n'
        '    parser.add_argument("--organ", help="organets namn eller key")\n'
        '    x = Command("möte", summary="Öppnar eller avslutar ett sammanträde.")\n'
        '    y = re.compile(r"(tjänstgörande ersättare|övriga deltagare)")\n'
        '    ctx.fail("saknar_text", "ändra §{ref} yrkande 2 <ny text>")\n'
        '    return "Det här rummet är inte kopplat"\n'
        'GROUP = "Paragrafer och beslut"\n'
        'KEY = "sqlite:///finsam-bot.db"\n'
        'WORDS = "the quick brown fox"\n'
    )
    assert swedish_sentences(source) == [(5, "Organet {} finns inte."),
                                         (10, "ändra §{ref} yrkande 2 <ny text>"),
                                         (11, "Det här rummet är inte kopplat")]
    assert swedish_sentences(source, {"ändra"}) == [(5, "Organet {} finns inte."),
                                                    (11, "Det här rummet är inte kopplat")]


def test_no_swedish_sentence_is_built_in_python() -> None:
    """Every sentence a user reads is in bot/templates/ (errors as a code and values); log
    lines, argparse help and the command declarations excepted."""
    files = [p for folder in ("bot", "storage") for p in modules(folder)
             if "migrations" not in p.parts]
    assert ROOT / "bot" / "config.py" in files
    commands = command_words()
    assert {"ändra", "instämmer", "sammanträde"} <= commands
    found = {str(path.relative_to(ROOT)):
             swedish_sentences(path.read_text(encoding="utf-8"), commands) for path in files}
    offenders = [f"{name}:{line}: {text[:70]!r}" for name, sentences in found.items()
                 if name not in SENTENCES_ALLOWED | ARGPARSE_TEXT for line, text in sentences]
    assert offenders == []
    no_longer = sorted(name for name in SENTENCES_ALLOWED if not found.get(name))
    assert no_longer == [], "remove these from SENTENCES_ALLOWED: they build no sentence now"
