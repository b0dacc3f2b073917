"""In-process throughput: commands per second through the dispatcher and the store for
`!beslut`, `!budget` and `!visa`, on SQLite and PostgreSQL, with 1, 10 and 100 rooms of
different förbund, and with 0, 1 and 3 years of history per organ (12 meetings x 15 § and
a budget register a year), to show that the cost stays flat as history grows.

    .venv/bin/python -m bench.throughput [--quick] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event

from bench import dataset
from bench.common import Timer, rss_mib, store, write_result
from bot import cli_swedish
from bot.app import App, create_app
from bot.messages import IncomingMessage

TZ = ZoneInfo("Europe/Stockholm")
COMMANDS = {"beslut": "!beslut Styrelsen beslutar {k}.",
            "budget": "!budget Insats {i} 2026",
            "visa": "!visa §{n}"}
# The start of a right answer (an error would be measured as a fast no-op otherwise).
EXPECTED = {"beslut": "§ ", "budget": "**Insats ", "visa": "§ "}


def room_id(i: int) -> str:
    return f"!rum{i}:bench"


def message(room: int, text: str) -> IncomingMessage:
    return IncomingMessage(transport="matrix", room_id=room_id(room),
                           sender_id=dataset.CHAIR, sender_name=dataset.CHAIR, text=text,
                           event_id=uuid.uuid4().hex,
                           timestamp=datetime(2026, 3, 20, 9, 0, tzinfo=TZ))


def measure(app: App, rooms: int, commands: int, name: str) -> float:
    template = COMMANDS[name]
    with Timer() as timer:
        for k in range(commands):
            text = template.format(k=k, i=k % dataset.INSATSER, n=1 + (k // rooms) % 4)
            reply = app.dispatcher.handle_sync(message(k % rooms, text))
            assert reply is not None and reply.text.startswith(EXPECTED[name]), (
                text, reply and reply.text)
    return commands / timer.seconds


def queries(app: App, name: str) -> int:
    """SQL statements of one command (BEGIN and the claim included): what a command costs
    beyond its Python, the same on any machine."""
    count = 0

    def counted(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(app.db.engine, "before_cursor_execute", counted)
    try:
        text = COMMANDS[name].format(k=0, i=0, n=1)
        app.dispatcher.handle_sync(message(0, text))
    finally:
        event.remove(app.db.engine, "before_cursor_execute", counted)
    return count


def one(kind: str, rooms: int, history: int, commands: int, folder: Path
        ) -> dict[str, object]:
    with store(kind, folder) as url:
        ids = [room_id(i) for i in range(rooms)]
        app = create_app(dataset.config(ids, url))
        with Timer() as seeding:
            dataset.seed(app, "matrix", ids, history)
        idle = rss_mib()
        row: dict[str, object] = {
            "db": kind, "rooms": rooms, "history_years": history,
            "paragraphs_per_organ": history * dataset.MEETINGS_PER_YEAR
            * dataset.PARAGRAPHS_PER_MEETING,
            "commands": commands, "seed_seconds": round(seeding.seconds, 1)}
        # § 1-5 per organ for !visa (later !beslut add to § 5), and warm caches.
        for k in range(5 * rooms):
            app.dispatcher.handle_sync(message(k % rooms, f"!paragraf Ärende {k}"))
        for name in COMMANDS:
            measure(app, rooms, rooms, name)
        for name in COMMANDS:
            row[f"{name}_per_s"] = round(measure(app, rooms, commands, name), 1)
            row[f"{name}_queries"] = queries(app, name)
        row["rss_idle_mib"] = round(idle, 1)
        row["rss_after_mib"] = round(rss_mib(), 1)
        app.close()
    return row


def run(kinds: list[str], room_counts: list[int], years: list[int], commands: int
        ) -> list[dict[str, object]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            for rooms in room_counts:
                for history in years:
                    row = one(kind, rooms, history, commands, Path(folder))
                    rows.append(row)
                    print(f"{kind:10} rum={rooms:3} historik={history} år  " + "  ".join(
                        f"!{n} {row[f'{n}_per_s']:6.1f}/s ({row[f'{n}_queries']} frågor)"
                        for n in COMMANDS)
                        + f"  minne {row['rss_after_mib']} MiB", flush=True)
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    cli_swedish.install()
    parser = argparse.ArgumentParser(
        prog="python -m bench.throughput",
        description="Kommandon per sekund genom dispatchern och databasen för !beslut, !budget "
                    "och !visa, på SQLite och PostgreSQL, med 1, 10 och 100 rum i olika förbund "
                    "och 0, 1 och 3 års historik per organ, för att visa att kostnaden inte "
                    "växer med historiken. Skriver bench/results/throughput-<tid>.json.")
    parser.add_argument("--quick", action="store_true",
                        help="1 och 10 rum, 0 och 1 års historik och 100 kommandon")
    parser.add_argument("--db", default="sqlite,postgresql", metavar="DATABASER",
                        help="sqlite och/eller postgresql, kommaseparerade (standard "
                             "%(default)s)")
    parser.add_argument("--rooms", metavar="ANTAL",
                        help="antal rum, kommaseparerade (standard 1,10,100)")
    parser.add_argument("--years", metavar="ÅR",
                        help="år av historik, kommaseparerade (standard 0,1,3)")
    parser.add_argument("--commands", type=int, metavar="N",
                        help="kommandon per mätning (standard 300)")
    parser.add_argument("--no-write", action="store_true",
                        help="skriv bara ut resultatet, spara ingen fil (röktest)")
    args = parser.parse_args(argv)
    room_counts = [int(r) for r in args.rooms.split(",")] if args.rooms else (
        [1, 10] if args.quick else [1, 10, 100])
    years = [int(y) for y in args.years.split(",")] if args.years else (
        [0, 1] if args.quick else [0, 1, 3])
    commands = args.commands or (100 if args.quick else 300)
    rows = run(args.db.split(","), room_counts, years, commands)
    if not args.no_write:
        print(f"Resultat: {write_result('throughput', {'rows': rows})}")
    return rows


if __name__ == "__main__":
    main()
