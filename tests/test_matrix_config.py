"""The [matrix] section: defaults, checks that name the key, and who may invite the bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, parse_config
from bot.transports.matrix import _REPLY_FALLBACK
from bot.transports.matrix.config import matrix_settings

BASE = {"forbund": [{"name": "Förbundet", "organ": [{"name": "Styrelsen"}]}]}


def settings(**matrix: object):  # type: ignore[no-untyped-def]
    section = {"homeserver": "https://matrix.example.org", "user_id": "@bot:example.org",
               "password": "hemligt", **matrix}
    return matrix_settings(parse_config({**BASE, "matrix": section}, "config.toml"))


def test_defaults() -> None:
    s = settings()
    assert s.encryption is True
    assert s.device_name == "Finsam-sekreteraren"
    assert s.store_path == Path("matrix-store")
    assert s.server_name == "example.org"
    # No allowed_inviters: users on the bot's own homeserver.
    assert s.may_invite("@anna:example.org")
    assert not s.may_invite("@eve:evil.example")


def test_allowed_inviters_by_user_and_server() -> None:
    s = settings(allowed_inviters=["@carolina:ovik.se", "umea.se"])
    assert s.may_invite("@carolina:ovik.se")
    assert not s.may_invite("@par:ovik.se")
    assert s.may_invite("@vem:umea.se")
    assert not s.may_invite("@bot:example.org")


@pytest.mark.parametrize(("matrix", "message"), [
    ({"homeserver": "matrix.example.org"},
     'nyckeln matrix.homeserver ska vara en adress som "https://matrix.example.org"'),
    ({"user_id": "bot"}, 'nyckeln matrix.user_id ska vara ett Matrix-id'),
    ({"password": ""}, "nyckeln matrix.password saknas: ange password eller access_token"),
    ({"encryption": "ja"}, "nyckeln matrix.encryption ska vara true eller false"),
    ({"allowed_inviters": ["@anna"]}, 'nyckeln matrix.allowed_inviters innehåller "@anna"'),
    ({"allowed_inviters": "@anna:x.se"}, "nyckeln matrix.allowed_inviters ska vara en lista"),
    ({"sync_timeout": 0}, "nyckeln matrix.sync_timeout ska vara ett heltal från 1 till 300"),
])
def test_bad_keys_are_named(matrix: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        settings(**matrix)
    assert str(error.value).startswith("Fel i config.toml: ")
    assert message in str(error.value)


def test_access_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_MATRIX_ACCESS_TOKEN", "syt_token")
    config = parse_config({**BASE, "matrix": {"homeserver": "http://127.0.0.1:8008",
                                              "user_id": "@bot:example.org"}}, "c.toml")
    assert matrix_settings(config).access_token == "syt_token"


def test_bot_run_reports_a_bad_matrix_key(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'''
[bot]
database_url = "sqlite:///{tmp_path / 'bot.db'}"
[[forbund]]
name = "Förbundet"
[[forbund.organ]]
name = "Styrelsen"
[matrix]
homeserver = "https://matrix.example.org"
user_id = "sekreteraren"
password = "x"
''', encoding="utf-8")
    assert main(["run", "--config", str(config)]) == 2
    assert "nyckeln matrix.user_id ska vara ett Matrix-id" in capsys.readouterr().err


def test_reply_fallback_is_not_part_of_the_command() -> None:
    body = "> <@anna:example.org> Ska vi besluta?\n\n!beslut Styrelsen beslutar ja."
    assert _REPLY_FALLBACK.sub("", body, count=1) == "!beslut Styrelsen beslutar ja."
