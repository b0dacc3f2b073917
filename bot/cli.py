"""`bot console`, `bot run` and `bot migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, load_config
from storage.db import DatabaseError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="Finsam-sekreteraren.")
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser("console", help="chatta med boten i terminalen")
    console.add_argument("--config", help="konfigurationsfil (TOML)")
    console.add_argument("--as", dest="user", help="skriv som den här personen")
    console.add_argument("--organ", help="organets key, om förbundet har flera organ")
    console.add_argument("--out", default="protokoll", help="mapp för protokollfiler")
    run = sub.add_parser("run", help="kör boten mot Matrix och/eller Teams")
    run.add_argument("--config", required=True, help="konfigurationsfil (TOML)")
    migrate = sub.add_parser("migrate", help="uppdatera databasens schema")
    migrate.add_argument("--config", help="konfigurationsfil (TOML)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    command = args.command or "console"
    try:
        config = load_config(getattr(args, "config", None))
        from bot.app import create_app

        app = create_app(config)
    except (ConfigError, DatabaseError) as error:
        print(error, file=sys.stderr)
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
            print(f"Databasen {app.db.safe_url} har det senaste schemat.")
            return 0
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
