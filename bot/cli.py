"""`bot console`, `bot run`, `bot status`, `bot migrate` and the other subcommands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot import cli_swedish
from bot.config import ConfigError, load_config
from bot.render import render
from storage.db import DatabaseError


def _parser() -> argparse.ArgumentParser:
    cli_swedish.install()
    parser = argparse.ArgumentParser(prog="bot", description="Finsam-sekreteraren.")
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser("console", help="chatta med boten i terminalen")
    console.add_argument("--config", help="konfigurationsfil (TOML)")
    console.add_argument("--as", dest="user", help="skriv som den här personen")
    console.add_argument("--organ", help="organets key, om förbundet har flera organ")
    console.add_argument("--out", default="protokoll", help="mapp för protokollfiler")
    run = sub.add_parser("run", help="kör boten mot Matrix och/eller Teams")
    run.add_argument("--config", required=True, help="konfigurationsfil (TOML)")
    status = sub.add_parser("status", help="visa vilken process som är aktiv och senaste synk")
    status.add_argument("--config", help="konfigurationsfil (TOML)")
    migrate = sub.add_parser("migrate", help="uppdatera databasens schema")
    migrate.add_argument("--config", help="konfigurationsfil (TOML)")
    export = sub.add_parser("export", help="skriv ett års justerade protokoll och beslut")
    export.add_argument("--config", help="konfigurationsfil (TOML)")
    export.add_argument("--år", "--ar", "--year", dest="year", type=int, required=True,
                        help="kalenderåret, t.ex. 2022")
    export.add_argument("--organ", required=True, help="organets namn eller key, t.ex. styrelsen")
    export.add_argument("--förbund", "--forbund", dest="forbund",
                        help="förbundets key, om flera förbund har organet")
    export.add_argument("--ut", "--out", dest="out",
                        help="mapp att skriva till (standard: export-<organ>-<år>)")
    calendar = sub.add_parser("calendar", help="skriv en kalenderfil (.ics) med sammanträden "
                                               "och frister")
    calendar.add_argument("--config", help="konfigurationsfil (TOML)")
    calendar.add_argument("--organ", help="organets key (standard: det första)")
    calendar.add_argument("--out", help="filnamn (standard: kalender-<förbund>-<organ>.ics)")
    from bot.commands.budget.cli import add_parser as add_budget_parser
    from bot.commands.protokoll.seal_cli import add_parser as add_verify_parser
    from bot.commands.utdrag.cli import add_parser as add_utdrag_parser

    add_budget_parser(sub)
    add_verify_parser(sub)
    add_utdrag_parser(sub)
    return parser


def _log_level() -> int:
    """BOT_LOG_LEVEL (INFO, DEBUG, …) for troubleshooting; WARNING otherwise, also for a
    misspelt name (a typo must not stop the bot)."""
    level = logging.getLevelName(os.environ.get("BOT_LOG_LEVEL", "WARNING").strip().upper())
    return level if isinstance(level, int) else logging.WARNING


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=_log_level(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    command = args.command or "console"
    if command == "verifiera":  # reads only the file: no database, no app
        from bot.commands.protokoll.seal_cli import run as run_verify

        try:
            return run_verify(args)
        except ConfigError as error:
            print(error, file=sys.stderr)
            return 2
    try:
        config = load_config(getattr(args, "config", None))
        from bot.app import create_app

        app = create_app(config)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except DatabaseError as error:
        print(render("drift", error.code, **error.values).text, file=sys.stderr)
        return 2
    try:
        if command == "console":
            from bot.transports.console import Console

            console = Console(app, user=getattr(args, "user", None),
                              organ_key=getattr(args, "organ", None),
                              out_dir=Path(getattr(args, "out", "protokoll")))
            asyncio.run(console.run())
            return 0
        if command == "migrate":
            print(render("drift", "migrerad", databas=app.db.safe_url).text)
            return 0
        if command == "export":
            from bot.commands.protokoll.export import run_export

            return run_export(app.db, args)
        if command == "utdrag":
            from bot.commands.utdrag.cli import run as run_utdrag

            return run_utdrag(app.db, args)
        if command == "calendar":
            from bot.commands.reminders.calendar import write_calendar

            return write_calendar(app, getattr(args, "organ", None), getattr(args, "out", None))
        if command == "budget":
            from bot.commands.budget.cli import run as run_budget

            return run_budget(args, app)
        if command == "status":
            from bot.leadership import status_text

            text, code = status_text(app.db, app.config)
            print(text)
            return code
        if command == "run":
            from bot.runner import run_transports

            return asyncio.run(run_transports(app))
    except KeyboardInterrupt:
        return 130
    except ConfigError as error:  # a transport's own settings, or its account refused
        print(error, file=sys.stderr)
        return 2
    finally:
        app.close()
    return 1
