"""Benchmark of the reminder scheduler: start-up time, memory and lateness with many
scheduled reminders compared with few.

Each scenario runs in a fresh process on a fresh database:
  * N reminders spread over the coming year (the normal case), N = 100 and 10 000;
  * N = 10 000 all due within two days (the worst case: every one has a job in the store).
Each also holds PROBES reminders due a few seconds after start, spaced PROBE_GAP apart;
their lateness (arrival at the fake room minus due time) is measured.

Start-up is measured twice: the first start after the reminders were written (the job
store is filled for the reminders inside the horizon) and a restart (the store is already
in step). Memory is the process's resident set after start-up (VmRSS) and its peak (VmHWM).

    .venv/bin/python bench/reminders_bench.py            # SQLite, writes bench/results/
    .venv/bin/python bench/reminders_bench.py --db postgresql+psycopg://postgres@127.0.0.1/test
    make bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.db import fresh_postgres_schema  # noqa: E402  (after the path is set)

PROBES = 50
PROBE_GAP = 0.1  # seconds between probe reminders
PROBE_START = 3.0  # seconds after start-up the first probe is due
SCENARIOS = [("100 över ett år", 100, "year"), ("10 000 över ett år", 10_000, "year"),
             ("10 000 inom två dygn", 10_000, "near")]
QUICK_SCENARIOS = [("100 över ett år", 100, "year"), ("1 000 över ett år", 1_000, "year"),
                   ("1 000 inom två dygn", 1_000, "near")]


def _memory() -> dict[str, float]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return {"rss_mb": values.get("VmRSS", 0.0), "peak_rss_mb": values.get("VmHWM", 0.0)}


async def _child(count: int, spread: str, url: str) -> dict[str, object]:
    from bot.app import create_app
    from bot.config import default_config
    from storage.reminders import schedule_reminder
    from storage.tenants import bind_room, first_organ

    config = default_config()
    config.database_url = url
    app = create_app(config)
    now = datetime.now(UTC)
    fill = count - PROBES
    with app.db.transaction() as session:
        organ = first_organ(session)
        bind_room(session, "console", "console", organ.organ_id, "bench")
        span = timedelta(days=365) if spread == "year" else timedelta(hours=47)
        for i in range(fill):
            due = now + timedelta(hours=1) + span * (i / max(1, fill))
            schedule_reminder(session, organ_id=organ.organ_id, due_at=due, text=f"Last {i}")
    app.close()

    timings: dict[str, float] = {}
    lateness: list[float] = []
    jobs = 0
    for run in ("första start", "omstart"):
        started = time.perf_counter()
        app = create_app(config)
        arrivals: list[tuple[str, float]] = []

        async def send(room_id: str, reply, arrivals=arrivals) -> None:  # type: ignore[no-untyped-def]
            arrivals.append((reply.text, time.time()))

        app.add_sender("console", send)
        await app.start()
        timings[run] = round(time.perf_counter() - started, 3)
        service = app.services.reminders
        assert service is not None
        jobs = len(service.job_ids())
        if run == "första start":
            memory = _memory()
            base = time.time() + PROBE_START
            due_at = {}
            with app.db.transaction() as session:
                organ = first_organ(session)
                for i in range(PROBES):
                    due = base + i * PROBE_GAP
                    due_at[f"Påminnelse: Prov {i}"] = due
                    schedule_reminder(session, organ_id=organ.organ_id, text=f"Prov {i}",
                                      due_at=datetime.fromtimestamp(due, UTC))
            deadline = time.time() + PROBE_START + PROBES * PROBE_GAP + 30
            while len(arrivals) < PROBES and time.time() < deadline:
                await asyncio.sleep(0.05)
            lateness = [at - due_at[text] for text, at in arrivals if text in due_at]
        await app.stop()
        app.close()
    return {
        "reminders": count, "spread": spread, "jobs_in_store": jobs,
        "startup_seconds": timings, **memory,
        "probes": PROBES, "probes_arrived": len(lateness),
        "lateness_ms": {
            "median": round(statistics.median(lateness) * 1000, 1) if lateness else None,
            "worst": round(max(lateness) * 1000, 1) if lateness else None,
        },
    }


def main() -> int:
    from bot import cli_swedish

    cli_swedish.install()
    parser = argparse.ArgumentParser(
        prog="python bench/reminders_bench.py",
        description="Påminnelsemotorn: starttid, minne och hur sent påminnelser kommer med "
                    "10 000 schemalagda påminnelser jämfört med 100 (spridda över ett år, och "
                    "alla inom två dygn). Varje scenario körs i en egen process mot en ny "
                    "databas. Skriver bench/results/reminders-<databas>.json.")
    parser.add_argument("--db", metavar="URL",
                        help="PostgreSQL-databasens URL (standard: en SQLite-fil per scenario)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"), metavar="MAPP",
                        help="mapp för resultatet (standard bench/results)")
    parser.add_argument("--quick", action="store_true",
                        help="1 000 påminnelser i stället för 10 000")
    parser.add_argument("--child", nargs=2, metavar=("COUNT", "SPREAD"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = asyncio.run(_child(int(args.child[0]), args.child[1], args.url))
        print(json.dumps(result))
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, count, spread in QUICK_SCENARIOS if args.quick else SCENARIOS:
            with (fresh_postgres_schema(args.db, "bench") if args.db
                  else nullcontext(f"sqlite:///{tmp}/{count}-{spread}.db")) as url:
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", str(count), spread, "--url", url],
                    capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 1
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            result["scenario"] = name
            results.append(result)
            print(f"{name:24} start {result['startup_seconds']['första start']:6.2f} s, "
                  f"omstart {result['startup_seconds']['omstart']:6.2f} s, "
                  f"jobb {result['jobs_in_store']:6}, minne {result['rss_mb']:6.1f} MB, "
                  f"försening median {result['lateness_ms']['median']} ms, "
                  f"värst {result['lateness_ms']['worst']} ms")
    report = {
        "benchmark": "reminders",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if args.db else "sqlite",
        "python": platform.python_version(), "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "results": results,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"reminders-{report['database']}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Sparat: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
