"""The benchmarks run (tiny sizes), so they cannot rot between `make bench` runs."""

from __future__ import annotations

from pathlib import Path

from bench import latency, throughput
from bench.__main__ import table
from tests.matrix_support import Synapse
from tests.matrix_support import synapse as synapse  # noqa: F401  (the session fixture)


def test_throughput_runs() -> None:
    rows = throughput.main(["--db", "sqlite", "--rooms", "2", "--years", "0,1",
                            "--commands", "6", "--no-write"])
    assert [(r["rooms"], r["history_years"]) for r in rows] == [(2, 0), (2, 1)]
    assert all(float(r["beslut_per_s"]) > 0 and float(r["budget_per_s"]) > 0 for r in rows)  # type: ignore[arg-type]


async def test_latency_runs_against_the_floor(synapse: Synapse, tmp_path: Path) -> None:
    row = await latency.scenario(synapse, tmp_path, rooms=2, rounds=3, db="sqlite", history=0)
    assert set(row["commands"]) == {"beslut", "budget", "visa"}
    for result in row["commands"].values():
        assert result["bot"]["median_ms"] > 0 and result["floor"]["median_ms"] > 0
    assert row["bot_rss_after_mib"] > 0
    chart = latency.chart([row], tmp_path / "latency.png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| sqlite | 2 | !beslut |" in table([row], [])


async def test_footprint_runs_against_the_echo_bot(synapse: Synapse, tmp_path: Path) -> None:
    from bench import footprint

    result = await footprint.scenario(synapse, tmp_path, starts=1, protokoll=1)
    assert result["echo_rss_idle_mib"] > 0 and result["bot_rss_idle_mib"] > 0
    assert result["bot_startup_s"] > 0 and result["later_protokoll_median_s"] > 0
    assert "- minne i vila: " in table([], [], None, result)
