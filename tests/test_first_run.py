"""A first run: `make run` installs only what the bot needs and says so, `make test` adds
the test tools, scripts/ensure-postgres.sh probes the server the tests use with the Python
driver, and the benchmarks' --help is complete Swedish."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parent.parent
RUN_NOTE = "Installerar boten i .venv (första gången, ungefär en minut) …"
TEST_NOTE = ("Installerar testverktygen i .venv (pytest, ruff, Synapse; första gången, ungefär "
             "en minut) …")
PIP = ".venv/bin/python -m pip install -q --disable-pip-version-check"


def _make(folder: Path, target: str) -> list[str]:
    """The commands `make <target>` would run (make -n), one per line."""
    done = subprocess.run(["make", "-n", "-s", target], cwd=folder, capture_output=True,
                          text=True, check=True, env={**os.environ, "MAKEFLAGS": ""})
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def _stamp(folder: Path, name: str, after: float) -> None:
    stamp = folder / ".venv" / name
    stamp.parent.mkdir(exist_ok=True)
    stamp.touch()
    os.utime(stamp, (after, after))


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    os.utime(tmp_path / "pyproject.toml", (1_000_000, 1_000_000))
    return tmp_path


def test_make_run_installs_only_the_bot_and_says_so(checkout: Path) -> None:
    first = _make(checkout, "run")
    assert first == [
        f'echo "{RUN_NOTE}"',
        "test -x .venv/bin/python || python3 -m venv .venv",
        f"{PIP} --upgrade pip",
        f"{PIP} -e .",
        "touch .venv/.installed-run",
        ".venv/bin/bot console"]
    # The second time: nothing to install, the bot starts at once.
    _stamp(checkout, ".installed-run", 2_000_000)
    assert _make(checkout, "run") == [".venv/bin/bot console"]


def test_make_test_after_make_run_adds_only_the_test_extras(checkout: Path) -> None:
    _stamp(checkout, ".installed-run", 2_000_000)
    commands = _make(checkout, "test")
    assert commands[:3] == [f'echo "{TEST_NOTE}"', f"{PIP} -e '.[test]'",
                            "touch .venv/.installed-test"]
    assert RUN_NOTE not in "\n".join(commands)
    assert commands[3:] == [
        "PYTHON=.venv/bin/python bash scripts/ensure-postgres.sh",
        "bash scripts/ensure-browser.sh", ".venv/bin/ruff check .", ".venv/bin/pytest -q"]
    # make run after make test installs nothing again.
    _stamp(checkout, ".installed-test", 3_000_000)
    assert _make(checkout, "run") == [".venv/bin/bot console"]
    assert _make(checkout, "lint") == [".venv/bin/ruff check ."]
    assert _make(checkout, "clean") == [
        "rm -rf .venv .pytest_cache finsam-bot.db finsam-bot.db.lock"]


def test_a_fresh_make_test_installs_the_bot_then_the_extras(checkout: Path) -> None:
    commands = _make(checkout, "test")
    assert commands.index(f'echo "{RUN_NOTE}"') < commands.index(f"{PIP} -e .") \
        < commands.index(f'echo "{TEST_NOTE}"') < commands.index(f"{PIP} -e '.[test]'")


def _tools_without_postgres(tmp_path: Path) -> str:
    """A PATH with what the script needs from the system, and no pg_isready or pg_ctlcluster."""
    folder = tmp_path / "bin"
    if not folder.exists():
        folder.mkdir()
        for tool in ("bash", "dirname", "seq", "sleep", "ls"):
            found = shutil.which(tool)
            assert found, tool
            (folder / tool).symlink_to(found)
    return str(folder)


def _ensure(tmp_path: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": _tools_without_postgres(tmp_path), "PYTHON": sys.executable,
           "TEST_POSTGRES_URL": url, "ENSURE_POSTGRES_WAIT": "0"}
    return subprocess.run(["bash", str(ROOT / "scripts" / "ensure-postgres.sh")], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_ensure_postgres_probes_test_postgres_url_without_pg_isready(tmp_path: Path) -> None:
    refused = _ensure(tmp_path, "postgresql+psycopg://postgres:hemligt@127.0.0.1:1/test")
    assert refused.returncode == 1
    first, second = refused.stderr.strip().splitlines()
    assert first.startswith("PostgreSQL svarar inte på "
                            "postgresql+psycopg://postgres:***@127.0.0.1:1/test: ")
    assert second == ("Se README, avsnittet ”PostgreSQL för make test”, eller ange en annan "
                      "server i TEST_POSTGRES_URL.")
    assert "hemligt" not in refused.stderr


@pytest.mark.postgres
def test_ensure_postgres_accepts_the_test_server_and_honours_its_database(
        tmp_path: Path) -> None:
    assert _ensure(tmp_path, PG_ADMIN_URL).returncode == 0
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    missing = _ensure(tmp_path, f"{base}/finnsinte_first_run")
    assert missing.returncode == 1
    assert "finnsinte_first_run" in missing.stderr  # the server's own reason names it


@pytest.mark.parametrize(("command", "starts"), [
    (["-m", "bench"], "användning: python -m bench [-h] [--quick] [--skip DELAR]"),
    (["-m", "bench.latency"], "användning: python -m bench.latency"),
    (["-m", "bench.throughput"], "användning: python -m bench.throughput"),
    (["bench/reminders_bench.py"], "användning: python bench/reminders_bench.py"),
    (["bench/budget_bench.py"], "användning: python bench/budget_bench.py"),
    (["bench/budget_import_bench.py"], "användning: python bench/budget_import_bench.py"),
    (["-m", "bench.storm"], "användning: python -m bench.storm"),
    (["-m", "bench.footprint"], "användning: python -m bench.footprint"),
])
def test_bench_help_is_complete_swedish(command: list[str], starts: str) -> None:
    done = subprocess.run([sys.executable, *command, "--help"], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120,
                          env={**os.environ, "COLUMNS": "1000"})
    lines = done.stdout.splitlines()
    assert lines[0].startswith(starts)
    description = lines[2]
    assert description.endswith((".json.", ".png.", "bench/results/."))
    assert "val:" in lines
    assert "  -h, --help" in done.stdout and "visa den här hjälpen och avsluta" in done.stdout
    for line in lines[lines.index("val:") + 1:]:
        option, _, text = line.strip().partition("  ")
        assert text.strip(), f"{option} has no help"
    for english in ("usage:", "options:", "show this help", "default", "comma-separated"):
        assert english not in done.stdout


def test_bench_help_says_what_the_whole_run_does() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=120,
                          env={**os.environ, "COLUMNS": "1000"})
    assert done.stdout.splitlines()[2] == (
        "Kör alla mätningar i tur och ordning och skriver en tabell över resultaten på slutet: "
        "svarstid i Matrix mot en enkel ekobot (latency), kommandon per sekund i processen "
        "(throughput), påminnelsemotorns start, minne och försening (reminders), !budget "
        "med många utfallsrader (budget), hur länge !budget import håller databasens "
        "skrivlås (import), januaristormen med alla påminnelser på en gång "
        "(storm) och hur lätt processen är mot ekoboten (footprint). Varje del sparar sin "
        "JSON i bench/results/.")
    assert ("--quick       mindre storlekar i varje del (färre rum, rundor, kommandon, "
            "påminnelser och utfallsrader), för en första titt") in done.stdout


def test_bench_quick_shrinks_every_part(monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.__main__ as whole

    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(whole.latency, "main", lambda argv: calls.append(("latency", *argv))
                        or [])
    monkeypatch.setattr(whole.throughput, "main",
                        lambda argv: calls.append(("throughput", *argv)) or [])
    monkeypatch.setattr(whole, "_run", lambda script, *args: calls.append((script, *args)))
    monkeypatch.setattr(whole.storm, "main", lambda argv: calls.append(("storm", *argv)))
    monkeypatch.setattr(whole.footprint, "main",
                        lambda argv: calls.append(("footprint", *argv)))
    monkeypatch.setattr(whole, "table", lambda lat, thr, storm_row, light: "")
    whole.main(["--quick"])
    assert calls == [
        ("latency", "--rooms", "1,10", "--rounds", "50"),
        ("throughput", "--quick"),
        ("reminders_bench.py", "--quick"),
        ("budget_bench.py", "--sizes", "10000,100000", "--repeat", "10", "--other-rows", "10000"),
        ("budget_bench.py", "--sizes", "10000,100000", "--repeat", "10", "--other-rows", "10000",
         "--db", whole.PG_ADMIN_URL),
        ("budget_import_bench.py", "--quick"),
        ("budget_import_bench.py", "--quick", "--db", whole.PG_ADMIN_URL),
        ("storm", "--forbund", "10"),
        ("footprint", "--starts", "1", "--protokoll", "2")]
    calls.clear()
    whole.main([])
    assert ("reminders_bench.py",) in calls
    assert ("budget_bench.py", "--sizes", "100000,1000000") in calls
    assert ("budget_import_bench.py",) in calls
