"""How the anslagstavla runs: [web] and the förbund's own keys in the config, `bot run` with
only [web], and one server for Teams and the anslagstavla when they share a port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.web.settings import board_url, load_settings
from tests.teams_support import APP_ID, TENANT_ID
from tests.web_support import LOGO, write_config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_web_settings_defaults_and_errors(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "\n[web]\nport = 8080\n"))
    settings = load_settings(config)
    assert settings is not None
    assert (settings.host, settings.port, settings.public_url) == ("0.0.0.0", 8080, "")
    assert board_url(config, "ornskoldsvik") == "http://localhost:8080/ornskoldsvik/anslagstavla"
    site = settings.sites["ornskoldsvik"]
    assert (site.website, site.logo_file, site.logo_type) == (
        "https://www.finsamovik.se", LOGO.resolve(), "image/svg+xml")
    assert settings.sites["umea"].logo_file is None
    # Without [web] (or with it empty, as in config.example.toml) there is no page, and the
    # chat gives no link.
    for web in ("", "\n[web]\n"):
        plain = load_config(write_config(tmp_path, web))
        assert load_settings(plain) is None and board_url(plain, "ornskoldsvik") is None

    source = tmp_path / "config.toml"
    cases = {
        '\n[web]\nport = "8080"\n':
            "nyckeln web.port ska vara ett heltal mellan 1 och 65535, t.ex. 8080.",
        '\n[web]\npublic_url = "anslagstavla.finsamovik.se"\n':
            'nyckeln web.public_url ska börja med https://, t.ex. '
            '"https://anslagstavla.finsamovik.se".',
    }
    for web, message in cases.items():
        with pytest.raises(ConfigError) as error:
            load_settings(load_config(write_config(tmp_path, web)))
        assert str(error.value) == f"Fel i {source}: {message}", web
    top = write_config(tmp_path, "")
    top.write_text('web = "ja"\n' + top.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="nyckeln web ska vara en tabell"):
        load_config(top)
    missing = write_config(tmp_path, "\n[web]\nport = 8080\n")
    missing.write_text(missing.read_text(encoding="utf-8").replace(str(LOGO), "saknas.png"),
                       encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(load_config(missing))
    assert str(error.value) == (f"Fel i {source}: nyckeln forbund[0].logo pekar på "
                                f"{tmp_path / 'saknas.png'}, som inte finns.")
    wrong = write_config(tmp_path, "\n[web]\nport = 8080\n")
    wrong.write_text(wrong.read_text(encoding="utf-8").replace(
        'website = "https://www.finsamovik.se"', 'website = "www.finsamovik.se"'),
        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"nyckeln forbund\[0\]\.website ska börja med "):
        load_settings(load_config(wrong))


def start(config: Path, teams_secret: str = "") -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items()
           if "proxy" not in k.lower() and not k.startswith("BOT_")}
    if teams_secret:
        env["BOT_TEAMS_APP_PASSWORD"] = teams_secret
    return subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_line(process: subprocess.Popen[str], start: str) -> str:
    """The bot's first line on stdout that starts with `start` (it prints it once it
    listens); the process's errors if it stops first."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(start):
            return line.strip()
    process.wait(timeout=30)
    raise AssertionError(process.stderr.read() if process.stderr else "no output")


def get(url: str, data: bytes | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=data,
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers.get_content_type(), \
                response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read().decode("utf-8")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=30)


def test_bot_run_with_only_web_serves_the_page(tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path, (
        f'\n[bot]\ndatabase_url = "sqlite:///{tmp_path / "bot.db"}"\n'
        f'\n[web]\nhost = "127.0.0.1"\nport = {port}\n'))
    process = start(config)
    try:
        line = wait_for_line(process, "Anslagstavlan")
        assert line == (f"Anslagstavlan är igång på port {port}: http://127.0.0.1:{port}"
                        "/<förbund>/anslagstavla")
        status, kind, page = get(f"http://127.0.0.1:{port}/ornskoldsvik/anslagstavla")
        assert (status, kind) == (200, "text/html")
        assert "<h1>Anslagstavla</h1>" in page
        assert "Inga protokoll är anslagna just nu." in page
        assert get(f"http://127.0.0.1:{port}/umea/anslagstavla")[0] == 200
        assert get(f"http://127.0.0.1:{port}/api/messages", b"{}")[0] == 404  # no Teams
    finally:
        stop(process)


def test_bot_run_refuses_a_wrong_web_section(tmp_path: Path) -> None:
    config = write_config(tmp_path, '\n[web]\nport = 70000\n')
    result = subprocess.run([sys.executable, "-m", "bot", "run", "--config", str(config)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "BOT_DATABASE_URL":
                                 f"sqlite:///{tmp_path / 'bot.db'}"})
    assert result.returncode == 2
    assert "nyckeln web.port ska vara ett heltal mellan 1 och 65535" in result.stderr


def test_teams_and_the_anslagstavla_share_one_server_on_one_port(tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path, (
        f'\n[bot]\ndatabase_url = "sqlite:///{tmp_path / "bot.db"}"\n'
        f'\n[teams]\napp_id = "{APP_ID}"\ntenant_id = "{TENANT_ID}"\nhost = "127.0.0.1"\n'
        f'port = {port}\npublic_url = "https://sekreteraren.finsamovik.se"\n'
        f'\n[web]\nhost = "127.0.0.1"\nport = {port}\n'))
    process = start(config, teams_secret="hemlighet")
    try:
        assert wait_for_line(process, "Teams:") == \
            f"Teams: tar emot meddelanden på port {port} (/api/messages)."
        status, kind, page = get(f"http://127.0.0.1:{port}/ornskoldsvik/anslagstavla")
        assert (status, kind) == (200, "text/html") and "<h1>Anslagstavla</h1>" in page
        # The same server still guards Teams' endpoint.
        assert get(f"http://127.0.0.1:{port}/api/messages", b"{}")[0] == 401
        status, _, missing = get(f"http://127.0.0.1:{port}/okand/anslagstavla")
        assert status == 404 and "<h1>Sidan finns inte</h1>" in missing
    finally:
        stop(process)
