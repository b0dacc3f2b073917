"""End-to-end latency on a real Synapse on 127.0.0.1, against the floor of a bare
matrix-nio echo bot on the same server.

A chair client sends `!beslut …`, `!budget …` and `!visa §N` and waits for the bot's reply
(ROUNDS round trips each); every bot round trip is paired with one to the echo bot (right
before or right after it, in turn, in its own room), so noise on the shared machine hits
both alike. The bot
runs as `bot run` in its own process, on SQLite (or PostgreSQL) holding a year of history
per organ; 1, 10 and 100 rooms, each bound to the styrelse of a different förbund. Reports
median and p95, the ratio to the floor, and the bot's resident memory idle and after the
load. Writes bench/results/latency-<stamp>.json and bench/results/latency.png.

    .venv/bin/python -m bench.latency [--rooms 1,10,100] [--rounds 200] [--db sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

from nio import Event, RoomMessageNotice

from bench import dataset
from bench.common import RESULTS, percentile, store, write_result
from bot import cli_swedish
from bot.app import create_app
from tests.matrix_support import Person, Synapse, env_without_proxies

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "beslut": ("!beslut Styrelsen beslutar om punkt {i}.", "§ "),
    "budget": ("!budget Insats {insats} {year}", "**Insats "),
    "visa": ("!visa §{n} {last_year}", "§ "),
}
GOAL = {"median": 1.10, "p95": 1.25}


class Chair(Person):
    """A Person that notes the moment each reply arrives, without polling."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrived: dict[str, tuple[float, str]] = {}
        self.signal = asyncio.Event()

    async def _on_event(self, room: Any, event: Event) -> None:
        await super()._on_event(room, event)
        if isinstance(event, RoomMessageNotice):
            relates = event.source.get("content", {}).get("m.relates_to") or {}
            target = (relates.get("m.in_reply_to") or {}).get("event_id")
            if target:
                self.arrived[target] = (time.perf_counter(), event.body)
                self.signal.set()

    async def round_trip(self, room_id: str, text: str, timeout: float = 60) -> tuple[float, str]:
        start = time.perf_counter()
        event_id = await self.say(room_id, text)
        deadline = start + timeout
        while event_id not in self.arrived:
            self.signal.clear()
            if event_id in self.arrived:
                break
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no reply to {text!r} in {room_id}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.signal.wait(), left)
        at, body = self.arrived.pop(event_id)
        return at - start, body


def rss_of(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {"median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 0.95), 2),
            "mean_ms": round(statistics.fmean(ms), 2), "max_ms": round(max(ms), 2)}


@contextlib.asynccontextmanager
async def process(args: list[str], log: Path, ready: str | None = None
                  ) -> AsyncIterator[subprocess.Popen[bytes]]:
    with open(log, "ab") as output:
        child = subprocess.Popen(args, cwd=ROOT, env=env_without_proxies(), stdout=output,
                                 stderr=subprocess.STDOUT)
    try:
        if ready is not None:
            deadline = time.monotonic() + 60
            while ready not in log.read_text(errors="replace"):
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{args[1]} did not start: " + log.read_text()[-2000:])
                await asyncio.sleep(0.05)
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


async def make_rooms(chair: Chair, invitee: str, count: int, name: str) -> list[str]:
    rooms = []
    for n in range(count):
        response = await chair.client.room_create(name=f"{name} {n}", invite=[invitee])
        rooms.append(response.room_id)  # type: ignore[union-attr]
    return rooms


async def wait_joined(chair: Chair, rooms: list[str], user_id: str, timeout: float = 120) -> None:
    await chair.wait(lambda: all(chair.membership(r, user_id) == "join" for r in rooms),
                     what=f"{user_id} in {len(rooms)} rooms", timeout=timeout)


async def scenario(server: Synapse, work: Path, rooms: int, rounds: int, db: str,
                   history: int) -> dict[str, Any]:
    tag = f"{db}-{rooms}"
    chair = Chair(server, server.register("ordf"), work / f"chair-{tag}", "Ordföranden")
    bot_account = server.register("sekreteraren")
    echo_account = server.register("eko")
    await chair.start()
    try:
        echo_args = [sys.executable, "bench/echo_bot.py", server.url, echo_account.user_id,
                     echo_account.access_token, echo_account.device_id]
        async with process(echo_args, work / f"echo-{tag}.log", ready="ready") as echo:
            echo_rooms = await make_rooms(chair, echo_account.user_id, rooms, "Eko")
            bot_rooms = await make_rooms(chair, bot_account.user_id, rooms, "Styrelsen")
            await wait_joined(chair, echo_rooms, echo_account.user_id)
            with store(db, work) as url:
                app = create_app(dataset.config(bot_rooms, url, chair.user_id))
                started = time.perf_counter()
                dataset.seed(app, "matrix", bot_rooms, history, meeting_day=date.today())
                seed_s = time.perf_counter() - started
                app.close()
                config_file = work / f"bot-{tag}.toml"
                config_file.write_text(dataset.config_toml(bot_rooms, url, chair.user_id, {
                    "homeserver": server.url, "user_id": bot_account.user_id,
                    "password": bot_account.password, "store_path": str(work / f"store-{tag}"),
                    "allowed_inviters": [chair.user_id]}), encoding="utf-8")
                bot_args = [sys.executable, "-m", "bot", "run", "--config", str(config_file)]
                async with process(bot_args, work / f"bot-{tag}.log") as bot:
                    await wait_joined(chair, bot_rooms, bot_account.user_id)
                    # The greeting in the last room means the bot has settled.
                    await chair.wait(lambda: all(chair.notices(r) for r in bot_rooms),
                                     what="greetings", timeout=120)
                    await asyncio.sleep(1)
                    idle = rss_of(bot.pid)
                    echo_idle = rss_of(echo.pid)
                    results = await measure(chair, echo_rooms, bot_rooms, rounds, history)
                    after = rss_of(bot.pid)
                    echo_after = rss_of(echo.pid)
    finally:
        await chair.stop()
    row: dict[str, Any] = {"db": db, "rooms": rooms, "rounds": rounds, "history_years": history,
                           "seed_seconds": round(seed_s, 1), "bot_rss_idle_mib": idle,
                           "bot_rss_after_mib": after, "echo_rss_idle_mib": echo_idle,
                           "echo_rss_after_mib": echo_after, "commands": results}
    return row


async def measure(chair: Chair, echo_rooms: list[str], bot_rooms: list[str], rounds: int,
                  history: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    last_year = date.today().year - 1
    # Unmeasured warm-up: the first command in a room opens its § and fills caches.
    for n, room in enumerate(bot_rooms):
        await chair.round_trip(room, f"!beslut Styrelsen beslutar om uppvärmning {n}.")
        await chair.round_trip(echo_rooms[n], "uppvärmning")
    for name, (template, expected) in COMMANDS.items():
        floor: list[float] = []
        bot: list[float] = []
        for i in range(rounds):
            k = i % len(bot_rooms)
            text = template.format(i=i, insats=i % dataset.INSATSER, year=date.today().year,
                                   n=1 + i % 180, last_year=last_year)
            if name == "visa" and not history:  # no history: the § of the warm-up
                text = "!visa §1"
            # Who goes first alternates: the work each bot does after its reply (its own
            # echo, a stored sync position) then slows the other's round trip as often.
            for who in (("echo", "bot") if i % 2 == 0 else ("bot", "echo")):
                if who == "echo":
                    seconds, _ = await chair.round_trip(echo_rooms[k], text)
                    floor.append(seconds)
                else:
                    seconds, body = await chair.round_trip(bot_rooms[k], text)
                    assert body.startswith(expected), (text, body[:200])
                    bot.append(seconds)
        f, b = summary(floor), summary(bot)
        results[name] = {"floor": f, "bot": b,
                         "ratio_median": round(b["median_ms"] / f["median_ms"], 3),
                         "ratio_p95": round(b["p95_ms"] / f["p95_ms"], 3)}
        print(f"  !{name:7} bot median {b['median_ms']:7.1f} ms p95 {b['p95_ms']:7.1f} ms | "
              f"golv median {f['median_ms']:7.1f} ms p95 {f['p95_ms']:7.1f} ms | "
              f"kvot {results[name]['ratio_median']:.2f} / {results[name]['ratio_p95']:.2f}",
              flush=True)
    return results


def chart(rows: list[dict[str, Any]], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    labels = [f"{r['db']}\n{r['rooms']} rum\n!{c}" for r in rows for c in r["commands"]]
    x = range(len(labels))
    for ax, stat in zip(axes, ("median_ms", "p95_ms"), strict=True):
        floor = [r["commands"][c]["floor"][stat] for r in rows for c in r["commands"]]
        bot = [r["commands"][c]["bot"][stat] for r in rows for c in r["commands"]]
        ax.bar([i - 0.2 for i in x], floor, 0.4, label="golv (nio-ekobot)", color="#9aa5b1")
        ax.bar([i + 0.2 for i in x], bot, 0.4, label="Finsam-sekreteraren", color="#1f6feb")
        ax.set_xticks(list(x), labels, fontsize=6)
        ax.set_title("median" if stat == "median_ms" else "p95", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("svarstid (ms)")
    axes[0].legend(fontsize=7)
    fig.suptitle("Svarstid i Matrix mot golvet (Synapse på 127.0.0.1)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


async def run(room_counts: list[int], rounds: int, dbs: list[str], history: int
              ) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        server = Synapse(work / "synapse")
        server.start()
        try:
            for db in dbs:
                for rooms in room_counts:
                    print(f"{db}, {rooms} rum:", flush=True)
                    rows.append(await scenario(server, work, rooms, rounds, db, history))
                    r = rows[-1]
                    print(f"  minne boten {r['bot_rss_idle_mib']} MiB i vila, "
                          f"{r['bot_rss_after_mib']} MiB efter lasten", flush=True)
        finally:
            server.stop()
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    cli_swedish.install()
    parser = argparse.ArgumentParser(
        prog="python -m bench.latency",
        description="Svarstid från chatten till botens svar i en riktig Synapse på 127.0.0.1, "
                    "jämförd med golvet: en enkel matrix-nio-ekobot på samma server. Mäter "
                    "!beslut, !budget och !visa (median och p95) och botens minne i vila och "
                    "efter lasten. Skriver bench/results/latency-<tid>.json och "
                    "bench/results/latency.png.")
    parser.add_argument("--rooms", default="1,10,100", metavar="ANTAL",
                        help="antal rum, kommaseparerade (standard %(default)s)")
    parser.add_argument("--rounds", type=int, default=200, metavar="N",
                        help="rundor per kommando (standard %(default)s)")
    parser.add_argument("--db", default="sqlite", metavar="DATABASER",
                        help="sqlite och/eller postgresql, kommaseparerade (standard "
                             "%(default)s)")
    parser.add_argument("--history", type=int, default=1, metavar="ÅR",
                        help="år av historik per organ (standard %(default)s)")
    parser.add_argument("--no-write", action="store_true",
                        help="skriv bara ut resultatet, spara ingen fil (röktest)")
    args = parser.parse_args(argv)
    rows = asyncio.run(run([int(r) for r in args.rooms.split(",")], args.rounds,
                           args.db.split(","), args.history))
    if not args.no_write:
        path = write_result("latency", {"rows": rows, "goal": GOAL})
        print(f"Resultat: {path}, diagram: {chart(rows, RESULTS / 'latency.png')}")
    return rows


if __name__ == "__main__":
    main()
