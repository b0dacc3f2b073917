"""A few seconds of coverage-guided fuzzing (atheris) of the command parser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_parser_survives_atheris(tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris; "
                        "it has wheels for CPython 3.8-3.11 on Linux x86-64 only)")
    result = subprocess.run(
        [sys.executable, str(HERE / "fuzz_parser.py"), "-max_total_time=4",
         "-rss_limit_mb=1024", f"-artifact_prefix={tmp_path}/"],
        cwd=HERE.parent, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done" in result.stderr, result.stderr[-3000:]
