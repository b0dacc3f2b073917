"""The January storm: 80 förbund × 3 organs in one `bot run` process on PostgreSQL and one
Synapse on 127.0.0.1. At one instant every förbund's årsrapport reminder (naming the
insatser that have not reported, in the styrelse's room) and a sammanträde reminder in
every organ's room fall due: 80 + 240 messages. The bot's account has a message rate limit
(`--rate` per second, burst `--burst`), so Synapse answers 429 with retry_after.

Measured, with the same measures on the idle bot first in the same run:
- time from the due instant to the last reminder's arrival (idle: one reminder);
- command latency (`!beslut` round trips, typed in turn in the rooms meanwhile).
Goal: every reminder within 60 s, each once; every command answered within 2 s.
Writes bench/results/storm-<stamp>.json.

    .venv/bin/python -m bench.storm [--forbund 80] [--rate 10] [--burst 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from nio import Event, RoomMessageNotice, RoomMessageText

from bench.common import percentile, store, write_result
from bench.latency import Chair, process, rss_of, wait_joined
from bot import cli_swedish
from bot.app import create_app
from bot.config import Config, ForbundConfig, MemberConfig, OrganConfig
from storage import budget, meetings, reports
from storage.reminders import plan_meeting, schedule_reminder
from storage.tenants import organ_for_room
from tests.matrix_support import Synapse

ORGANS = [("styrelsen", "Styrelsen", "styrelse"), ("beredning", "Beredningsgruppen",
                                                   "beredningsgrupp"),
          ("lsg", "Lokala samverkansgruppen", "lsg")]
INSATSER = ["Vidare Vy", "Steg framåt", "Samverkansprojekt Äpplet"]
GOAL = {"last_delivery_s": 60.0, "command_s": 2.0}
LEAD = 40.0  # seconds from writing the reminders to their instant: the bot's 30 s poll


class Watcher(Chair):
    """The chair, in every room: notes when each reminder arrives (room, first line)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reminders: list[tuple[float, str, str]] = []

    async def _on_event(self, room: Any, event: Event) -> None:
        await super()._on_event(room, event)
        if isinstance(event, RoomMessageNotice | RoomMessageText) and event.body.startswith(
                "Påminnelse"):
            self.reminders.append((time.time(), room.room_id, event.body))


def config(rooms: list[list[str]], url: str, chair: str) -> Config:
    return Config(database_url=url, forbund=[
        ForbundConfig(key=f"f{i}", name=f"Samordningsförbundet {i}", organs=[
            OrganConfig(key=key, name=name, kind=kind, rooms=[room_ids[n]], members=[
                MemberConfig(name="Ordföranden", role="ordförande", ids=[chair])])
            for n, (key, name, kind) in enumerate(ORGANS)])
        for i, room_ids in enumerate(rooms)])


def config_toml(rooms: list[list[str]], url: str, chair: str, matrix: dict[str, str]) -> str:
    lines = ["[bot]", f'database_url = "{url}"', ""]
    for i, room_ids in enumerate(rooms):
        lines += ["[[forbund]]", f'key = "f{i}"', f'name = "Samordningsförbundet {i}"', ""]
        for n, (key, name, kind) in enumerate(ORGANS):
            lines += ["[[forbund.organ]]", f'key = "{key}"', f'name = "{name}"',
                      f'kind = "{kind}"', f'rooms = ["{room_ids[n]}"]', "",
                      "[[forbund.organ.member]]", 'name = "Ordföranden"',
                      'role = "ordförande"', f'ids = ["{chair}"]', ""]
    lines.append("[matrix]")
    lines += [f'{key} = "{value}"' for key, value in matrix.items()]
    lines.append(f'allowed_inviters = ["{chair}"]')
    return "\n".join(lines) + "\n"


def seed(url: str, rooms: list[list[str]], chair: str) -> None:
    """Insatser per förbund, one of which has reported; an open meeting in every room (for
    `!beslut`)."""
    app = create_app(config(rooms, url, chair))
    report_year = date.today().year  # the årsrapport due 31 January next year
    with app.db.transaction() as s:
        for room_ids in rooms:
            styrelse = organ_for_room(s, "matrix", room_ids[0])
            assert styrelse is not None
            for name in INSATSER:
                # A period covering the year: without money or period no report is owed.
                budget.create_insats(s, styrelse.forbund_id, name, "bench",
                                     start_year=report_year)
            reports.mark_received(s, styrelse.forbund_id, INSATSER[2], report_year, "bench",
                                  f"$seed-{room_ids[0]}", datetime.now(UTC))
            meetings.open_meeting(s, styrelse.organ_id, date.today(), clock_time(9, 0),
                                  "Kansliet", "Ordföranden")
    app.close()


def schedule_storm(url: str, rooms: list[list[str]], chair: str, at: datetime,
                   only_one: bool = False) -> int:
    """The reminders at `at`: the årsrapport in every styrelse, a sammanträde in every
    organ. `only_one`: a single sammanträde reminder (the idle measure)."""
    app = create_app(config(rooms, url, chair))
    count = 0
    with app.db.transaction() as s:
        for room_ids in rooms[:1] if only_one else rooms:
            for n, room_id in enumerate(room_ids[:1] if only_one else room_ids):
                organ = organ_for_room(s, "matrix", room_id)
                assert organ is not None
                meeting = plan_meeting(s, organ.organ_id, at + timedelta(hours=1),
                                       "Kommunhuset", "bench")
                schedule_reminder(s, organ_id=organ.organ_id, due_at=at, kind="sammanträde",
                                  payload={"sammanträde": meeting.id, "minuter": 60})
                count += 1
                if n == 0 and not only_one:
                    schedule_reminder(s, organ_id=organ.organ_id, due_at=at, kind="frist",
                                      payload={"frist": "arsrapport",
                                               "datum": date(at.year + 1, 1, 31).isoformat(),
                                               "dagar": 0})
                    count += 1
    app.close()
    return count


async def commands_until(chair: Watcher, rooms: list[str], done: Any, at: float,
                         minimum: int) -> list[float]:
    """`!beslut` round trips, one room after the other, from `at` until `done()` (and at
    least `minimum` of them)."""
    await asyncio.sleep(max(0.0, at - time.time()))
    seconds: list[float] = []
    n = 0
    while not done() or len(seconds) < minimum:
        room = rooms[n % len(rooms)]
        took, body = await chair.round_trip(room, f"!beslut Styrelsen beslutar om punkt {n}.")
        assert body.startswith("§ "), body[:200]
        seconds.append(took)
        n += 1
    return seconds


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "median_s": round(statistics.median(values), 3),
            "p95_s": round(percentile(values, 0.95), 3), "max_s": round(max(values), 3)}


async def run(forbund: int, rate: int, burst: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        server = Synapse(work / "synapse")
        server.start()
        try:
            return await scenario(server, work, forbund, rate, burst)
        finally:
            server.stop()


async def scenario(server: Synapse, work: Path, forbund: int, rate: int, burst: int
                   ) -> dict[str, Any]:
    chair = Watcher(server, server.register("ordf"), work / "chair", "Ordföranden")
    admin = server.register("admin", admin=True)
    bot_account = server.register("sekreteraren")
    await chair.start()
    try:
        flat = []
        for n in range(forbund * len(ORGANS)):
            response = await chair.client.room_create(name=f"Rum {n}",
                                                      invite=[bot_account.user_id])
            flat.append(response.room_id)  # type: ignore[union-attr]
        rooms = [flat[i:i + len(ORGANS)] for i in range(0, len(flat), len(ORGANS))]
        with store("postgresql", work) as url:
            seed(url, rooms, chair.user_id)
            (work / "bot.toml").write_text(config_toml(rooms, url, chair.user_id, {
                "homeserver": server.url, "user_id": bot_account.user_id,
                "password": bot_account.password, "store_path": str(work / "store")}),
                encoding="utf-8")
            log = work / "bot.log"
            args = [sys.executable, "-m", "bot", "run", "--config", str(work / "bot.toml")]
            async with process(args, log) as bot:
                await wait_joined(chair, flat, bot_account.user_id, timeout=600)
                await chair.wait(lambda: all(chair.notices(r) for r in flat),
                                 what="greetings", timeout=600)
                server.limit_messages(admin, bot_account.user_id, rate, burst)
                styrelser = [r[0] for r in rooms]
                # Idle: one reminder, and commands while nothing else happens.
                at = datetime.now(UTC) + timedelta(seconds=LEAD)
                schedule_storm(url, rooms, chair.user_id, at, only_one=True)
                idle_cmd = await commands_until(chair, styrelser, lambda: chair.reminders,
                                                time.time(), 20)
                await chair.wait(lambda: chair.reminders, what="the idle reminder",
                                 timeout=LEAD + 60)
                idle_last = chair.reminders[-1][0] - at.timestamp()
                chair.reminders.clear()
                rss_idle = rss_of(bot.pid)
                # The storm.
                at = datetime.now(UTC) + timedelta(seconds=LEAD)
                expected = schedule_storm(url, rooms, chair.user_id, at)
                assert server.process is not None
                cpu_before = cpu_seconds(bot.pid), cpu_seconds(server.process.pid)
                storm_cmd = await commands_until(
                    chair, styrelser, lambda: len(chair.reminders) >= expected,
                    at.timestamp(), 20)
                await chair.wait(lambda: len(chair.reminders) >= expected,
                                 what="the storm", timeout=600)
                await asyncio.sleep(3)  # anything repeated would come now
                storm_last = max(t for t, _, _ in chair.reminders) - at.timestamp()
                cpu = [round(cpu_seconds(pid) - before, 1) for pid, before in
                       zip((bot.pid, server.process.pid), cpu_before, strict=True)]
                rss_after = rss_of(bot.pid)
            text = log.read_text(errors="replace")
            limited = text.count("Got 429 response")
            # How long nio slept on each 429 (Synapse's retry_after_ms).
            slept = [int(ms) for ms in re.findall(r"Got 429 response \(ratelimited\), "
                                                    r"sleeping for (\d+)ms", text)]
    finally:
        await chair.stop()
    per_room = Counter((room, body.split("\n", 1)[0][:40]) for _, room, body in chair.reminders)
    annual = [b for _, _, b in chair.reminders if "årsrapport" in b]
    assert all("2 insatser har inte lämnat sin årsrapport ännu: Steg framåt och Vidare Vy."
               in b or "Vidare Vy och Steg framåt" in b for b in annual), annual[:1]
    idle, storm = summary(idle_cmd), summary(storm_cmd)
    return {
        "forbund": forbund, "organs": forbund * len(ORGANS), "reminders": expected,
        "delivered": len(chair.reminders), "repeated": sum(c - 1 for c in per_room.values()),
        "annual_reports": len(annual), "rate_limit": {"per_second": rate, "burst": burst},
        "responses_429": limited,
        "retry_after_ms": {"median": statistics.median(slept) if slept else 0,
                           "max": max(slept, default=0)},
        "idle": {"last_delivery_s": round(idle_last, 3), "commands": idle},
        "storm": {"last_delivery_s": round(storm_last, 3), "commands": storm},
        "ratio_last_delivery": round(storm_last / idle_last, 1),
        "ratio_command_median": round(storm["median_s"] / idle["median_s"], 2),
        "ratio_command_p95": round(storm["p95_s"] / idle["p95_s"], 2),
        # CPU seconds from writing the storm to its end (LEAD s of waiting included):
        # on a shared machine, whether the bot or the homeserver was the bottleneck.
        "cpu_s": {"bot": cpu[0], "synapse": cpu[1]},
        "bot_rss_idle_mib": rss_idle, "bot_rss_after_mib": rss_after,
        "goal_met": storm_last <= GOAL["last_delivery_s"] and storm["max_s"] <= GOAL[
            "command_s"] and len(chair.reminders) == expected,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    cli_swedish.install()
    parser = argparse.ArgumentParser(
        prog="python -m bench.storm",
        description="Januaristormen: alla förbunds årsrapportpåminnelser och en "
                    "sammanträdespåminnelse per organ faller på samma ögonblick, i en "
                    "process på PostgreSQL och en Synapse som begränsar botens takt. Mäter "
                    "tiden till sista leveransen och svarstiden för kommandon under stormen, "
                    "mot samma mått på den vilande boten. Skriver "
                    "bench/results/storm-<tid>.json.")
    parser.add_argument("--forbund", type=int, default=80, metavar="ANTAL",
                        help="antal förbund, tre organ vardera (standard %(default)s)")
    parser.add_argument("--rate", type=int, default=10, metavar="N",
                        help="botens meddelanden per sekund hos Synapse (standard %(default)s)")
    parser.add_argument("--burst", type=int, default=20, metavar="N",
                        help="hur många meddelanden i följd Synapse tillåter (standard "
                             "%(default)s)")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.forbund, args.rate, args.burst))
    path = write_result("storm", result)
    s, i = result["storm"], result["idle"]
    print(f"Stormen: {result['delivered']} av {result['reminders']} påminnelser, sista efter "
          f"{s['last_delivery_s']:.1f} s (vilande {i['last_delivery_s']:.2f} s); kommandon "
          f"median {s['commands']['median_s']:.2f} s, värst {s['commands']['max_s']:.2f} s "
          f"(vilande {i['commands']['median_s']:.2f} / {i['commands']['max_s']:.2f} s); "
          f"{result['responses_429']} svar 429. Resultat: {path}", flush=True)
    return result


if __name__ == "__main__":
    main()
