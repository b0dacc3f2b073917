"""How light the bot is next to a bare matrix-nio echo bot (bench/echo_bot.py) on the same
Synapse, in the same run: start-up to the first sync, resident memory in idle, and the
first `!protokoll` after start against later ones (the document libraries are loaded on
first use, so the first one pays for them).

Both start as their own process with one room already joined; start-up is from the
process's start to its first sync ("ready" for the echo bot, the bot's "inloggad" line),
the best of `--starts`. The bot is Matrix-only (no [teams]), on SQLite with a year of
history. Goal: idle RSS at most 1.5 times the echo bot's, start-up at most 1.5 s more, the
first `!protokoll` at most 1 s slower than the median of the later ones.
Writes bench/results/footprint-<stamp>.json.

    .venv/bin/python -m bench.footprint [--starts 3] [--protokoll 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import dataset
from bench.common import store, write_result
from bench.latency import Chair, make_rooms, process, rss_of, wait_joined
from bot import cli_swedish
from bot.app import create_app
from tests.matrix_support import Synapse

GOAL = {"rss_ratio": 1.5, "startup_extra_s": 1.5, "first_protokoll_extra_s": 1.0}
SETTLE = 5.0  # seconds after the first sync before the idle reading


async def started(args: list[str], log: Path, ready: str) -> tuple[float, float, Any]:
    """Start a process; seconds to `ready` in its log. Returns it still running."""
    log.write_text("", encoding="utf-8")
    begin = time.perf_counter()
    manager = process(args, log, ready=ready)
    child = await manager.__aenter__()
    return time.perf_counter() - begin, child.pid, manager


async def scenario(server: Synapse, work: Path, starts: int, protokoll: int) -> dict[str, Any]:
    chair = Chair(server, server.register("ordf"), work / "chair", "Ordföranden")
    bot_account, echo_account = server.register("sekreteraren"), server.register("eko")
    await chair.start()
    try:
        (echo_room,) = await make_rooms(chair, echo_account.user_id, 1, "Eko")
        (bot_room,) = await make_rooms(chair, bot_account.user_id, 1, "Styrelsen")
        echo_args = [sys.executable, "bench/echo_bot.py", server.url, echo_account.user_id,
                     echo_account.access_token, echo_account.device_id]
        with store("sqlite", work) as url:
            app = create_app(dataset.config([bot_room], url, chair.user_id))
            dataset.seed(app, "matrix", [bot_room], 1, meeting_day=date.today())
            app.close()
            config = work / "bot.toml"
            config.write_text(dataset.config_toml([bot_room], url, chair.user_id, {
                "homeserver": server.url, "user_id": bot_account.user_id,
                "password": bot_account.password, "store_path": str(work / "store"),
                "allowed_inviters": [chair.user_id]}), encoding="utf-8")
            bot_args = [sys.executable, "-m", "bot", "run", "--config", str(config)]
            # First starts join the rooms (the bot greets); they are not measured.
            _, _, manager = await started(echo_args, work / "echo.log", "ready")
            await wait_joined(chair, [echo_room], echo_account.user_id)
            await manager.__aexit__(None, None, None)
            _, _, manager = await started(bot_args, work / "bot.log", "inloggad som")
            await wait_joined(chair, [bot_room], bot_account.user_id)
            await chair.wait(lambda: chair.notices(bot_room), what="greeting")
            await manager.__aexit__(None, None, None)
            echo_s, bot_s = [], []
            for _ in range(starts):
                for args, log, ready, times in ((echo_args, work / "echo.log", "ready", echo_s),
                                                (bot_args, work / "bot.log", "inloggad som",
                                                 bot_s)):
                    seconds, _, manager = await started(args, log, ready)
                    times.append(seconds)
                    await manager.__aexit__(None, None, None)
            # Both running: idle memory, then the first and later !protokoll.
            _, echo_pid, echo_manager = await started(echo_args, work / "echo.log", "ready")
            _, bot_pid, bot_manager = await started(bot_args, work / "bot.log", "inloggad som")
            try:
                await asyncio.sleep(SETTLE)
                echo_rss, bot_rss = rss_of(echo_pid), rss_of(bot_pid)
                await chair.round_trip(echo_room, "eko")
                first, body = await chair.round_trip(bot_room, "!protokoll")
                assert "Protokoll" in body or "protokoll" in body, body[:200]
                later = [(await chair.round_trip(bot_room, "!protokoll"))[0]
                         for _ in range(protokoll)]
                bot_rss_after = rss_of(bot_pid)
            finally:
                await bot_manager.__aexit__(None, None, None)
                await echo_manager.__aexit__(None, None, None)
    finally:
        await chair.stop()
    later_median = statistics.median(later)
    result = {
        "echo_rss_idle_mib": echo_rss, "bot_rss_idle_mib": bot_rss,
        "bot_rss_after_protokoll_mib": bot_rss_after,
        "rss_ratio": round(bot_rss / echo_rss, 2),
        "echo_startup_s": round(min(echo_s), 2), "bot_startup_s": round(min(bot_s), 2),
        "startup_extra_s": round(min(bot_s) - min(echo_s), 2),
        "first_protokoll_s": round(first, 2), "later_protokoll_median_s": round(later_median, 2),
        "first_protokoll_extra_s": round(first - later_median, 2),
    }
    result["goal_met"] = {key: result[key] <= limit for key, limit in GOAL.items()}
    return result


async def run(starts: int, protokoll: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        server = Synapse(work / "synapse")
        server.start()
        try:
            return await scenario(server, work, starts, protokoll)
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    cli_swedish.install()
    parser = argparse.ArgumentParser(
        prog="python -m bench.footprint",
        description="Hur lätt boten är bredvid en enkel matrix-nio-ekobot på samma Synapse: "
                    "tid från start till första synkningen, minne i vila och det första "
                    "!protokoll efter start mot de följande. Skriver "
                    "bench/results/footprint-<tid>.json.")
    parser.add_argument("--starts", type=int, default=3, metavar="N",
                        help="starter per bot; den snabbaste räknas (standard %(default)s)")
    parser.add_argument("--protokoll", type=int, default=5, metavar="N",
                        help="!protokoll efter det första (standard %(default)s)")
    parser.add_argument("--no-write", action="store_true",
                        help="skriv bara ut resultatet, spara ingen fil (röktest)")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.starts, args.protokoll))
    if not args.no_write:
        write_result("footprint", result)
    print(f"Minne i vila: boten {result['bot_rss_idle_mib']} MiB, ekoboten "
          f"{result['echo_rss_idle_mib']} MiB (kvot {result['rss_ratio']}); start till "
          f"första synk: {result['bot_startup_s']} s mot {result['echo_startup_s']} s; "
          f"första !protokoll {result['first_protokoll_s']} s, följande "
          f"{result['later_protokoll_median_s']} s.", flush=True)
    return result


if __name__ == "__main__":
    main()
