"""Benchmark of the budget per insats: 1 000 insatser over 10 years and up to 1 000 000
utfall rows. Measures `!budget <insats> <år>` and `!budget <år>`, and the same without a year
(`!budget <insats>`, `!budget`: the default year is looked up first), through the dispatcher
(parse, SQL, render) at each size, so the growth from 100 000 to 1 000 000 rows shows.

    .venv/bin/python bench/budget_bench.py                      # SQLite in a temp dir
    .venv/bin/python bench/budget_bench.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test

Writes bench/results/budget-<database>.json. A second förbund with its own rows shares the
store, to show its rows do not slow the first one down."""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot import cli_swedish  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Config, ForbundConfig, OrganConfig  # noqa: E402
from bot.messages import IncomingMessage  # noqa: E402
from storage import budget  # noqa: E402
from storage.models_budget import BudgetGrant, BudgetOutcome, Insats  # noqa: E402

FIRST_YEAR = 2016
CHUNK = 20_000


def _config(url: str) -> Config:
    organs = [OrganConfig(key="styrelsen", name="Styrelsen", rooms=["console"])]
    other = [OrganConfig(key="styrelsen", name="Styrelsen", rooms=["!andra:bench"])]
    return Config(database_url=url, forbund=[
        ForbundConfig(key="bench", name="Samordningsförbundet Bench", organs=organs),
        ForbundConfig(key="andra", name="Samordningsförbundet Andra", organs=other)])


def _fill(app, forbund_id: int, insatser: int, years: int, rows: int, start: int,  # type: ignore[no-untyped-def]
          ids: list[int]) -> None:
    """Add utfall rows start..rows-1, spread evenly over insatser and years."""
    rng = random.Random(start)
    table = BudgetOutcome.__table__
    now = datetime.now(UTC)
    for low in range(start, rows, CHUNK):
        batch = []
        for i in range(low, min(low + CHUNK, rows)):
            year = FIRST_YEAR + (i // insatser) % years
            batch.append({
                "forbund_id": forbund_id, "insats_id": ids[i % insatser], "year": year,
                "amount_ore": rng.randrange(1, 5_000_000), "booked_on": date(
                    year, 1 + i % 12, 1 + i % 28), "comment": "bench", "source": "import",
                "created_by": "bench", "created_at": now, "source_event_id": ""})
        with app.db.transaction() as session:
            session.execute(insert(table), batch)


def _setup(app, forbund_key: str, insatser: int, years: int) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    with app.db.transaction() as session:
        forbund_id = next(f for f, key, _ in budget.forbund_choices(session) if key == forbund_key)
        ids = []
        for n in range(insatser):
            ids.append(budget.create_insats(session, forbund_id, f"Insats {n:04d}", "bench").id)
        grants = [{"forbund_id": forbund_id, "insats_id": i, "year": FIRST_YEAR + y,
                   "amount_ore": 50_000_000, "comment": "bench", "source": "import",
                   "created_by": "bench", "created_at": datetime.now(UTC),
                   "source_event_id": ""} for i in ids for y in range(years)]
        session.execute(insert(BudgetGrant.__table__), grants)
    return forbund_id, ids


def _ask(app, line: str) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    message = IncomingMessage(transport="console", room_id="console", sender_id="bench",
                              sender_name="bench", text=line, event_id=uuid.uuid4().hex,
                              timestamp=datetime.now(UTC))
    start = time.perf_counter()
    reply = app.dispatcher.handle_sync(message)
    elapsed = time.perf_counter() - start
    return elapsed, reply.text if reply else ""


def _measure(app, lines: list[str], repeat: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    times = []
    for n in range(repeat):
        elapsed, reply = _ask(app, lines[n % len(lines)])
        assert "kr" in reply, reply[:200]
        times.append(elapsed * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
            "max_ms": round(times[-1], 2), "runs": repeat}


def _queries(app, forbund_id: int, ids: list[int], years: int, repeat: int  # type: ignore[no-untyped-def]
             ) -> dict[str, dict[str, float]]:
    """The storage queries alone (no commit, no rendering): how the SQL grows with rows."""
    rng = random.Random(2)
    found: dict[str, list[float]] = {"insats_year": [], "year_table": [], "default_year": [],
                                     "default_year_insats": []}
    this_year = datetime.now(UTC).year
    with app.db.transaction() as session:
        insatser = {i.id: i for i in session.exec(
            select(Insats).where(Insats.forbund_id == forbund_id))}
        for _ in range(repeat):
            insats = insatser[ids[rng.randrange(len(ids))]]
            year = FIRST_YEAR + rng.randrange(years)
            start = time.perf_counter()
            budget.insats_year(session, insats, year)
            found["insats_year"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            budget.default_year(session, this_year, insats_id=insats.id)
            found["default_year_insats"].append((time.perf_counter() - start) * 1000)
        for n in range(max(10, repeat // 5)):
            start = time.perf_counter()
            budget.year_table(session, forbund_id, FIRST_YEAR + n % years)
            found["year_table"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            budget.default_year(session, this_year, forbund_id=forbund_id)
            found["default_year"].append((time.perf_counter() - start) * 1000)
    return {name: {"median_ms": round(statistics.median(t), 2),
                   "p95_ms": round(sorted(t)[int(len(t) * 0.95) - 1], 2)}
            for name, t in found.items()}


def _plans(app) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """How the database answers the two sums (index use, not table scans)."""
    sqlite = app.db.is_sqlite
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    queries = {
        "utfall_per_insats": "SELECT sum(amount_ore), count(*) FROM budget_outcome "
                             "WHERE insats_id = 500 AND year = 2020",
        "utfall_per_forbund_year": "SELECT insats_id, sum(amount_ore) FROM budget_outcome "
                                   "WHERE forbund_id = 1 AND year = 2020 GROUP BY insats_id",
        "default_year_forbund": "SELECT year FROM budget_outcome WHERE forbund_id = 1 "
                                "AND year < 2030 ORDER BY year DESC LIMIT 1",
    }
    with app.db.transaction() as session:
        return {name: [str(row[-1]) for row in session.execute(text(prefix + sql))]
                for name, sql in queries.items()}


def main() -> int:
    cli_swedish.install()
    parser = argparse.ArgumentParser(
        prog="python bench/budget_bench.py",
        description="Budget per insats: 1 000 insatser över 10 år och upp till 1 000 000 "
                    "utfallsrader. Mäter !budget <insats> <år> och !budget <år>, och samma utan "
                    "år, genom dispatchern vid varje storlek, med ett andra förbund med egna "
                    "rader i samma databas. Skriver bench/results/budget-<databas>.json.")
    parser.add_argument("--db", metavar="URL",
                        help="databasens URL (standard: SQLite i en tillfällig mapp)")
    parser.add_argument("--insatser", type=int, default=1000, metavar="N",
                        help="antal insatser (standard %(default)s)")
    parser.add_argument("--years", type=int, default=10, metavar="N",
                        help="antal år (standard %(default)s)")
    parser.add_argument("--sizes", default="100000,1000000", metavar="RADER",
                        help="antal utfallsrader att mäta vid, kommaseparerade (standard "
                             "%(default)s)")
    parser.add_argument("--other-rows", type=int, default=100_000, metavar="N",
                        help="utfallsrader för det andra förbundet (standard %(default)s)")
    parser.add_argument("--repeat", type=int, default=50, metavar="N",
                        help="frågor per mätning (standard %(default)s)")
    parser.add_argument("--out", metavar="FIL",
                        help="JSON-fil (standard bench/results/budget-<databas>.json)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app(_config(url))
        kind = "sqlite" if app.db.is_sqlite else app.db.engine.dialect.name
        if not app.db.is_sqlite:  # a clean slate in the given database
            with app.db.transaction() as session:
                for table in ("budget_outcome", "budget_grant", "insats_alias", "insats"):
                    session.execute(text(f"DELETE FROM {table}"))
        forbund_id, ids = _setup(app, "bench", args.insatser, args.years)
        other_id, other_ids = _setup(app, "andra", 50, args.years)
        _fill(app, other_id, 50, args.years, args.other_rows, 0, other_ids)
        if not app.db.is_sqlite:
            with app.db.transaction() as session:
                session.execute(text("ANALYZE"))
        rng = random.Random(1)
        insats_lines = [f"!budget Insats {rng.randrange(args.insatser):04d} "
                        f"{FIRST_YEAR + rng.randrange(args.years)}" for _ in range(args.repeat)]
        table_lines = [f"!budget {FIRST_YEAR + y}" for y in range(args.years)]
        # Without a year: this year if it has figures, else the latest before it.
        insats_no_year = [f"!budget Insats {rng.randrange(args.insatser):04d}"
                          for _ in range(args.repeat)]
        results = []
        done = 0
        for size in sizes:
            started = time.perf_counter()
            _fill(app, forbund_id, args.insatser, args.years, size, done, ids)
            done = size
            load_s = time.perf_counter() - started
            if app.db.is_sqlite:
                with app.db.transaction() as session:
                    session.execute(text("ANALYZE"))
            else:
                with app.db.transaction() as session:
                    session.execute(text("ANALYZE budget_outcome"))
            _ask(app, insats_lines[0])  # warm caches
            _ask(app, table_lines[0])
            point = {
                "utfall_rows": size,
                "rows_per_insats_year": size // (args.insatser * args.years),
                "load_seconds": round(load_s, 1),
                "budget_insats": _measure(app, insats_lines, args.repeat),
                "budget_year_table": _measure(app, table_lines, max(10, args.repeat // 5)),
                "budget_insats_no_year": _measure(app, insats_no_year, args.repeat),
                "budget_year_table_no_year": _measure(app, ["!budget"],
                                                      max(10, args.repeat // 5)),
                "storage_only": _queries(app, forbund_id, ids, args.years, args.repeat),
            }
            results.append(point)
            print(json.dumps(point), flush=True)
        report = {
            "benchmark": "budget per insats",
            "database": kind,
            "insatser": args.insatser, "years": args.years,
            "other_forbund_rows": args.other_rows,
            "machine": {"python": platform.python_version(), "platform": platform.platform()},
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "points": results,
            "growth": {
                name: round(results[-1][name]["median_ms"] / results[0][name]["median_ms"], 2)
                for name in ("budget_insats", "budget_year_table", "budget_insats_no_year",
                             "budget_year_table_no_year")} if len(results) > 1 else {},
            "note": "Times through the dispatcher include the transaction commit (which on "
                    "SQLite waits for the disk) and rendering; storage_only is the SQL alone. "
                    "The machine is shared, so single runs are noisy.",
            "plans": _plans(app),
        }
        app.close()
    out = Path(args.out) if args.out else (
        Path(__file__).parent / "results" / f"budget-{kind}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Skrev {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
