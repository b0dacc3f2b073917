"""`bot verifiera <fil.pdf>`: who sealed a protokoll, when, and whether the file is
unchanged since. Needs no database: the seal carries everything."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import load_config
from bot.render import render


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    verify = sub.add_parser("verifiera", help="kontrollera sigillet på ett justerat protokoll")
    verify.add_argument("fil", help="PDF-filen, t.ex. protokoll-styrelsen-2022-03-25.pdf")
    verify.add_argument("--config", help="konfigurationsfil (TOML), för tidszonen")


def run(args: argparse.Namespace) -> int:
    """0: sealed and unchanged; 1: no seal, or changed since; 2: the file cannot be read."""
    from bot.commands.protokoll.seal import verify

    path = Path(args.fil)
    try:
        data = path.read_bytes()
    except OSError:
        print(render("verifiera", "filen_saknas", fil=str(path)).text)
        return 2
    tz = ZoneInfo(load_config(args.config).timezone)
    result = verify(data)
    justering = []
    for record in result.records.get("justering", []):
        try:
            at = datetime.fromisoformat(record.get("tid", "")).astimezone(tz)
        except (TypeError, ValueError):
            continue
        justering.append({"namn": record.get("namn", ""), "funktion": record.get("funktion", ""),
                          "konto": record.get("konto", ""), "tid": at})
    print(render("verifiera", "resultat", fil=path.name, v=result,
                 tid=result.at.astimezone(tz) if result.at else None,
                 justering=justering).text)
    if not result.readable:
        return 2
    return 0 if result.unchanged else 1
