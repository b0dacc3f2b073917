"""`bot budget import FILE` and `bot budget export`: the economy office's spreadsheet on the
command line. Same checks as `!budget import`: a bad row rejects the whole file."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any

from bot.budget_files import BudgetFileError, read_budget_file, write_csv, write_xlsx
from bot.render import render
from storage import budget, budget_lines


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("budget", help="läs in eller skriv ut budget per insats")
    actions = parser.add_subparsers(dest="budget_command", required=True,
                                    metavar="{import,export}")
    imp = actions.add_parser("import", help="läs in en budgetfil (CSV eller XLSX)")
    imp.add_argument("file", metavar="FIL", help="CSV (komma eller semikolon) eller XLSX")
    exp = actions.add_parser("export", help="skriv budgeten i samma format som import")
    exp.add_argument("--out", metavar="FIL",
                     help="filen att skriva (.csv eller .xlsx); utan: CSV till terminalen")
    for action in (imp, exp):
        action.add_argument("--år", "--ar", dest="year", type=int, metavar="ÅÅÅÅ",
                            help="år för rader utan år (import) / bara detta år (export)")
        action.add_argument("--config", help="konfigurationsfil (TOML)")
        action.add_argument("--forbund", metavar="KEY",
                            help="förbundets key, om konfigurationen har flera förbund")


def run(args: argparse.Namespace, app: Any) -> int:
    with app.db.transaction() as session:
        choices = budget.forbund_choices(session)
    chosen = [c for c in choices if args.forbund in (None, c[1])]
    if len(chosen) != 1:
        keys = ", ".join(c[1] for c in choices)
        what = f"Förbundet {args.forbund} finns inte" if args.forbund else "Ange förbund"
        print(f"{what}: välj ett med --forbund ({keys}).", file=sys.stderr)
        return 2
    forbund_id, _key, name = chosen[0]
    if args.budget_command == "import":
        return _import(app, forbund_id, name, Path(args.file), args.year)
    return _export(app, forbund_id, args.out, args.year)


def _import(app: Any, forbund_id: int, name: str, path: Path, year: int | None) -> int:
    try:
        data = path.read_bytes()
    except OSError as error:
        why = ("filen finns inte" if isinstance(error, FileNotFoundError)
               else "ingen behörighet att läsa den" if isinstance(error, PermissionError)
               else "det är en mapp" if isinstance(error, IsADirectoryError)
               else error.strerror)
        print(f"Kan inte läsa {path}: {why}.", file=sys.stderr)
        return 2
    try:
        lines = read_budget_file(data, path.name, year)
    except BudgetFileError as error:
        print(f"{path.name} lästes inte in; inget är sparat.", file=sys.stderr)
        for row in error.errors:
            where = f"Rad {row.line}: " if row.line else ""
            print(f"  {where}{row.message}", file=sys.stderr)
        return 1
    try:
        with app.db.transaction() as session:
            # Each run is one import, so `!budget ångra` can take it back as a whole.
            result = budget_lines.import_lines(session, forbund_id, lines, "bot budget import",
                                         f"cli-{uuid.uuid4().hex}")
    except budget_lines.NearNamesError as error:
        print(render("fel", "budgetfil_liknar", filnamn=path.name, fel=error.near).text,
              file=sys.stderr)
        return 1
    print(render("budget", "importerat", filnamn=path.name, rader=len(lines), r=result,
                 till=name).text)
    return 0


def _export(app: Any, forbund_id: int, out: str | None, year: int | None) -> int:
    with app.db.transaction() as session:
        lines = budget_lines.export_lines(session, forbund_id, year)
    if out is None:
        sys.stdout.write(write_csv(lines).decode("utf-8-sig"))
        return 0
    path = Path(out)
    data = write_xlsx(lines) if path.suffix.lower() == ".xlsx" else write_csv(lines)
    path.write_bytes(data)
    print(f"Skrev {len(lines)} rader till {path}.")
    return 0
