"""Benchmark of `!budget import` (issue 13, finding 5): how long a 10 000-row file holds the
database's write lock, next to how long reading it takes outside the lock. The förbund has
2 000 insatser; the file names 200 new ones among them, so the near-miss check runs for
each new name against the whole register.

    .venv/bin/python bench/budget_import_bench.py                   # SQLite in a temp dir
    .venv/bin/python bench/budget_import_bench.py --rows 1000 --insatser 200 --quick
    .venv/bin/python bench/budget_import_bench.py --db postgresql+psycopg://…

Every transaction the import opens is timed from BEGIN to COMMIT (on SQLite, BEGIN
IMMEDIATE: that is the write lock). Writes bench/results/budget-import-<database>.json."""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

from bot import cli_swedish  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Config, ForbundConfig, MemberConfig, OrganConfig  # noqa: E402
from bot.messages import Attachment, IncomingMessage  # noqa: E402
from storage import budget, tenants  # noqa: E402

RESULTS = Path(__file__).parent / "results"
LETTERS = "abdefghijklmnoprstuvyåäö"
PREFIXES = ("Projekt", "Samverkansprojekt", "Processtöd", "Insats", "")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(5, 10)))


def _name(rng: random.Random) -> str:
    prefix = rng.choice(PREFIXES)
    return f"{prefix} {_word(rng).capitalize()} {_word(rng)}".strip()


def _file(existing: list[str], new: list[str], rows: int, rng: random.Random) -> bytes:
    lines = ["insats;år;beviljat;utfall;datum;kommentar"]
    names = existing + new
    for n in range(rows):
        name = new[n] if n < len(new) else names[rng.randrange(len(names))]
        lines.append(f"{name};{2020 + n % 3};;-{rng.randint(1, 900_000)};"
                     f"{2020 + n % 3}-06-30;Rad {n}")
    return ("\n".join(lines) + "\n").encode()


def run(url: str, rows: int, insatser: int, new: int) -> dict[str, object]:
    config = Config(database_url=url, forbund=[ForbundConfig(
        key="bench", name="Samordningsförbundet Bench",
        organs=[OrganConfig(key="styrelsen", name="Styrelsen", rooms=["console"],
                            members=[MemberConfig(name="Sekreteraren", role="sekreterare",
                                                  ids=["Sekreteraren"])])])])
    app = create_app(config)
    rng = random.Random(13)
    existing = sorted({_name(rng) for _ in range(insatser)})
    with app.db.transaction() as session:
        organ = tenants.first_organ(session)
        forbund_id = organ.forbund_id
        for name in existing:
            budget.create_insats(session, forbund_id, name, "bench")
    fresh: list[str] = []
    known = {budget.name_key(n) for n in existing}
    while len(fresh) < new:
        name = _name(rng)
        if budget.name_key(name) not in known:
            known.add(budget.name_key(name))
            fresh.append(name)
    data = _file(existing, fresh, rows, rng)
    held: list[float] = []
    began: list[float] = []

    @event.listens_for(app.db.engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        began.append(time.perf_counter())

    @event.listens_for(app.db.engine, "commit")
    def _commit(connection):  # type: ignore[no-untyped-def]
        held.append(time.perf_counter() - began.pop())

    @event.listens_for(app.db.engine, "rollback")
    def _rollback(connection):  # type: ignore[no-untyped-def]
        if began:
            held.append(time.perf_counter() - began.pop())

    message = IncomingMessage(
        transport="console", room_id="console", sender_id="Sekreteraren",
        sender_name="Sekreteraren", text="!budget import", event_id=uuid.uuid4().hex,
        timestamp=datetime.now(UTC), attachments=(Attachment("bench.csv", "text/csv", data),))
    start = time.perf_counter()
    reply = app.dispatcher.handle_sync(message)
    total = time.perf_counter() - start
    app.close()
    assert reply is not None and reply.text.startswith("Importerat bench.csv"), \
        reply.text[:300] if reply else None
    return {"rows": rows, "insatser": len(existing), "new_insatser": new,
            "file_bytes": len(data), "total_s": round(total, 3),
            "write_lock_s": round(max(held), 3),
            "transactions_s": [round(h, 3) for h in held],
            "outside_lock_s": round(total - sum(held), 3),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "reply": reply.text.splitlines()[0][:200]}


_READ = """
import sys
from bot.budget_files import BudgetFileError, read_budget_file
data = open(sys.argv[1], "rb").read()
try:
    outcome = f"{len(read_budget_file(data, sys.argv[1]))} rader"
except BudgetFileError as error:
    outcome = error.errors[0].code
# VmHWM: this program's own peak (ru_maxrss would keep the forking bench's size).
status = open("/proc/self/status").read()
print(outcome, next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM:")))
"""


def worst_files(folder: Path) -> list[dict[str, object]]:
    """Peak memory of reading the largest files the limits let through, and of the hostile
    sheet, each in a fresh interpreter (the kernel's peak resident size)."""
    import subprocess

    from openpyxl import Workbook

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.test_budget_limits import hostile_xlsx

    comment = "Delårsbokslut per 30 juni, not 2, " * 9
    csv_path = folder / "stor.csv"
    with csv_path.open("w", encoding="utf-8") as out:
        out.write("insats;år;beviljat;utfall;datum;kommentar\n")
        for n in range(50_000):
            out.write(f"Insats nummer {n % 500};2021;{n};-{n};2021-06-30;{comment}\n")
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["insats", "år", "beviljat", "utfall", "datum", "kommentar"])
    for n in range(50_000):
        sheet.append([f"Insats nummer {n % 500}", 2021, float(n), -float(n), "2021-06-30",
                      comment[:120]])
    xlsx_path = folder / "stor.xlsx"
    book.save(xlsx_path)
    hostile = folder / "fientlig.xlsx"
    hostile.write_bytes(hostile_xlsx())
    found = []
    for path in (csv_path, xlsx_path, hostile):
        done = subprocess.run([sys.executable, "-c", _READ, str(path)], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
        outcome, peak = done.stdout.rsplit(" ", 1)
        found.append({"file": path.name, "bytes": path.stat().st_size, "outcome": outcome,
                      "peak_rss_mib": round(int(peak) / 1024, 1)})
    return found


def main(argv: list[str] | None = None) -> int:
    cli_swedish.install()
    parser = argparse.ArgumentParser(
        prog="python bench/budget_import_bench.py",
        description="Mäter hur länge !budget import av en stor fil håller databasens skrivlås "
                    "och hur lång tid läsningen utanför låset tar. Skriver "
                    "bench/results/budget-import-<databas>.json.")
    parser.add_argument("--db", metavar="URL",
                        help="databas (standard: en ny SQLite-fil i en tillfällig mapp)")
    parser.add_argument("--rows", type=int, default=10_000, metavar="N",
                        help="rader i filen (standard 10 000)")
    parser.add_argument("--insatser", type=int, default=2000, metavar="N",
                        help="insatser som redan finns (standard 2 000)")
    parser.add_argument("--new", type=int, default=200, metavar="N",
                        help="nya insatser i filen (standard 200)")
    parser.add_argument("--quick", action="store_true",
                        help="1 000 rader, 200 insatser och 20 nya, för en första titt")
    parser.add_argument("--out", metavar="FIL", help="JSON-fil")
    args = parser.parse_args(argv)
    rows, insatser, new = (1000, 200, 20) if args.quick else (args.rows, args.insatser,
                                                              args.new)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'import.db'}"
        if args.db and args.db.startswith("postgresql"):
            from storage.db import fresh_postgres_schema

            with fresh_postgres_schema(args.db, "bench") as schema_url:
                result = run(schema_url, rows, insatser, new)
        else:
            result = run(url, rows, insatser, new)
        if not args.quick:
            result["worst_files"] = worst_files(Path(folder))
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    result.update(database=kind, machine=platform.node(), python=platform.python_version(),
                  at=datetime.now(UTC).isoformat(timespec="seconds"))
    RESULTS.mkdir(exist_ok=True)
    out = Path(args.out) if args.out else RESULTS / f"budget-import-{kind}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"!budget import, {rows} rader, {insatser} insatser ({new} nya) på {kind}: "
          f"skrivlås {result['write_lock_s']} s, utanför låset {result['outside_lock_s']} s, "
          f"totalt {result['total_s']} s, högst {result['peak_rss_mib']} MiB")
    for worst in result.get("worst_files", []):  # type: ignore[attr-defined]
        print(f"- läsa {worst['file']} ({worst['bytes']} byte): {worst['outcome']}, "
              f"högst {worst['peak_rss_mib']} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
