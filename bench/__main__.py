"""Every benchmark in one run, then one table: `make bench`, or

    .venv/bin/python -m bench [--quick] [--skip latency,throughput,reminders,budget,import,storm,
        footprint]

- latency: end to end on a real Synapse against a bare matrix-nio echo bot (bench/latency.py)
- throughput: commands per second in process, SQLite and PostgreSQL (bench/throughput.py)
- reminders: scheduler start-up, memory and lateness (bench/reminders_bench.py)
- budget: !budget with 100 000 and 1 000 000 utfall rows (bench/budget_bench.py)
- import: how long !budget import of 10 000 rows holds the write lock (bench/budget_import_bench.py)
- storm: 80 förbund × 3 organs, every reminder due at once, on PostgreSQL (bench/storm.py)
- footprint: start-up, idle memory and the first !protokoll against the echo bot
  (bench/footprint.py)
Each writes its JSON to bench/results/; the table is printed at the end."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import footprint, latency, storm, throughput
from bench.common import PG_ADMIN_URL, RESULTS
from bot import cli_swedish

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, check=True)


def _json(name: str) -> dict[str, Any] | None:
    path = RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def table(lat: list[dict[str, Any]], thr: list[dict[str, Any]],
          storm_row: dict[str, Any] | None = None, light: dict[str, Any] | None = None) -> str:
    lines = ["", "Svarstid i Matrix (median / p95, ms) mot golvet (nio-ekobot):",
             "| databas | rum | kommando | boten | golvet | kvot median | kvot p95 |",
             "|---|---:|---|---:|---:|---:|---:|"]
    for r in lat:
        for name, c in r["commands"].items():
            lines.append(f"| {r['db']} | {r['rooms']} | !{name} | {c['bot']['median_ms']:.0f} / "
                         f"{c['bot']['p95_ms']:.0f} | {c['floor']['median_ms']:.0f} / "
                         f"{c['floor']['p95_ms']:.0f} | {c['ratio_median']:.2f} | "
                         f"{c['ratio_p95']:.2f} |")
    if lat:
        lines += ["", "Minne (RSS, MiB) för boten: i vila / efter lasten:"]
        lines += [f"- {r['db']}, {r['rooms']} rum: {r['bot_rss_idle_mib']} / "
                  f"{r['bot_rss_after_mib']} (ekoboten {r['echo_rss_after_mib']})" for r in lat]
    if thr:
        lines += ["", "Genomströmning i processen (kommandon/s):",
                  "| databas | rum | historik (år) | !beslut | !budget | !visa | minne (MiB) |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['db']} | {r['rooms']} | {r['history_years']} | {r['beslut_per_s']} | "
                  f"{r['budget_per_s']} | {r['visa_per_s']} | {r['rss_after_mib']} |"
                  for r in thr]
    reminders = _json("reminders-sqlite.json")
    if reminders:
        lines += ["", "Påminnelser (SQLite): start / omstart (s), minne (MB), försening median / "
                  "värst (ms):"]
        lines += [f"- {r['scenario']}: {r['startup_seconds']['första start']} / "
                  f"{r['startup_seconds']['omstart']}, {r['rss_mb']}, "
                  f"{r['lateness_ms']['median']} / {r['lateness_ms']['worst']}"
                  for r in reminders["results"]]
    for db in ("sqlite", "postgresql"):
        budget = _json(f"budget-{db}.json")
        if budget:
            points = ", ".join(
                f"{p['utfall_rows']:,} rader: {p['budget_insats']['median_ms']} ms".replace(
                    ",", " ") for p in budget["points"])
            lines.append(f"- !budget <insats> på {db}: {points}")
    for db in ("sqlite", "postgresql"):
        imported = _json(f"budget-import-{db}.json")
        if imported:
            rows = f"{imported['rows']:,}".replace(",", " ")
            lines.append(f"- !budget import av {rows} rader på {db}: skrivlåset hålls "
                         f"{imported['write_lock_s']} s, läsningen utanför låset "
                         f"{imported['outside_lock_s']} s, högst {imported['peak_rss_mib']} MiB")
    if storm_row:
        s, i = storm_row["storm"], storm_row["idle"]
        lines += ["", f"Januaristormen ({storm_row['forbund']} förbund × 3 organ, "
                      f"{storm_row['reminders']} påminnelser på en gång, PostgreSQL):",
                  "| mått | vilande | stormen | kvot |", "|---|---:|---:|---:|",
                  f"| sista leveransen (s) | {i['last_delivery_s']:.2f} | "
                  f"{s['last_delivery_s']:.1f} | {storm_row['ratio_last_delivery']:.1f} |",
                  f"| kommando, median (s) | {i['commands']['median_s']:.2f} | "
                  f"{s['commands']['median_s']:.2f} | {storm_row['ratio_command_median']:.2f} |",
                  f"| kommando, p95 (s) | {i['commands']['p95_s']:.2f} | "
                  f"{s['commands']['p95_s']:.2f} | {storm_row['ratio_command_p95']:.2f} |",
                  f"| kommando, värst (s) | {i['commands']['max_s']:.2f} | "
                  f"{s['commands']['max_s']:.2f} | |",
                  f"- levererade {storm_row['delivered']} av {storm_row['reminders']}, "
                  f"upprepade {storm_row['repeated']}, svar 429: {storm_row['responses_429']}"]
    if light:
        lines += ["", "Lätt process (boten mot ekoboten):",
                  f"- minne i vila: {light['bot_rss_idle_mib']} / {light['echo_rss_idle_mib']} "
                  f"MiB (kvot {light['rss_ratio']:.2f}, mål högst 1,5)",
                  f"- start till första synk: {light['bot_startup_s']:.2f} / "
                  f"{light['echo_startup_s']:.2f} s (+{light['startup_extra_s']:.2f} s, mål "
                  f"högst +1,5 s)",
                  f"- första !protokoll {light['first_protokoll_s']:.2f} s, följande "
                  f"{light['later_protokoll_median_s']:.2f} s (mål högst +1 s)"]
    # Swedish decimal commas in the numbers (the JSON keeps points).
    return "\n".join(re.sub(r"(\d)\.(\d)", r"\1,\2", line) for line in lines)


def main(argv: list[str] | None = None) -> None:
    cli_swedish.install()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Kör alla mätningar i tur och ordning och skriver en tabell över resultaten "
                    "på slutet: svarstid i Matrix mot en enkel ekobot (latency), kommandon per "
                    "sekund i processen (throughput), påminnelsemotorns start, minne och "
                    "försening (reminders), !budget med många utfallsrader (budget), hur "
                    "länge !budget import håller databasens skrivlås (import), "
                    "januaristormen med alla påminnelser på en gång (storm) och hur lätt "
                    "processen är mot ekoboten (footprint). Varje del sparar sin JSON i "
                    "bench/results/.")
    parser.add_argument("--quick", action="store_true",
                        help="mindre storlekar i varje del (färre rum, rundor, kommandon, "
                             "påminnelser och utfallsrader), för en första titt")
    parser.add_argument("--skip", default="", metavar="DELAR",
                        help="delar att hoppa över, kommaseparerade: latency, throughput, "
                             "reminders, budget, import, storm, footprint")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    quick = ["--quick"] if args.quick else []
    lat = thr = []
    if "latency" not in skip:
        lat = latency.main(["--rooms", "1,10" if args.quick else "1,10,100",
                            "--rounds", "50" if args.quick else "200"])
    if "throughput" not in skip:
        thr = throughput.main(quick)
    if "reminders" not in skip:
        _run("reminders_bench.py", *quick)
    if "budget" not in skip:
        sizes = "10000,100000" if args.quick else "100000,1000000"
        smaller = ["--repeat", "10", "--other-rows", "10000"] if args.quick else []
        _run("budget_bench.py", "--sizes", sizes, *smaller)
        _run("budget_bench.py", "--sizes", sizes, *smaller, "--db", PG_ADMIN_URL)
    if "import" not in skip:
        _run("budget_import_bench.py", *quick)
        _run("budget_import_bench.py", *quick, "--db", PG_ADMIN_URL)
    storm_row = light = None
    if "storm" not in skip:
        storm_row = storm.main(["--forbund", "10"] if args.quick else [])
    if "footprint" not in skip:
        light = footprint.main(["--starts", "1", "--protokoll", "2"] if args.quick else [])
    print(table(lat, thr, storm_row, light))


if __name__ == "__main__":
    main()
