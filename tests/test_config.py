"""A bad config file gives one Swedish error naming the key; secrets come from the env."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config

EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads() -> None:
    config = load_config(EXAMPLE)
    organ = config.forbund[0].organs[0]
    assert config.forbund[0].name == "Samordningsförbundet i Örnsköldsvik"
    assert organ.numbering == "år" and config.forbund[0].organs[1].numbering == "möte"
    assert [m.role for m in organ.members][:2] == ["ordförande", "vice ordförande"]


@pytest.mark.parametrize(("text", "message"), [
    ('[[forbund]]\nname = "F"\n[[forbund.organ]]\nname = "S"\nnumrering = "vecka"\n',
     'nyckeln forbund[0].organ[0].numrering ska vara "år" eller "möte", inte "vecka"'),
    ('[[forbund]]\nname = "F"\n', "nyckeln forbund[0].organ saknas"),
    ('[bot]\ntimezone = "Mars/Olympus"\n[[forbund]]\nname = "F"\n[[forbund.organ]]\nname = "S"\n',
     'nyckeln bot.timezone är ingen känd tidszon ("Mars/Olympus")'),
    ('[[forbund]]\nname = "F"\n[[forbund.organ]]\nname = "S"\n[[forbund.organ.member]]\n'
     'name = "A"\nrole = "kung"\n', "nyckeln forbund[0].organ[0].member[0].role ska vara en av"),
    ('[[forbund]]\nname = 5\n', "nyckeln forbund[0].name ska vara en text"),
    ("[[forbund]\n", "ogiltig TOML"),
])
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert message in str(error.value)
    assert str(error.value).startswith(("Fel i ", "Konfigurationsfilen"))


def test_cli_prints_the_error_without_traceback(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, '[[forbund]]\nname = "F"\n[[forbund.organ]]\nname = "S"\n'
                           'numrering = "vecka"\n')
    assert main(["console", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "numrering" in err and "Traceback" not in err
    assert main(["console", "--config", str(tmp_path / "saknas.toml")]) == 2
    assert "finns inte" in capsys.readouterr().err


def test_env_overrides_secrets_and_database(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_DATABASE_URL", "sqlite:///annan.db")
    monkeypatch.setenv("BOT_MATRIX_PASSWORD", "hemligt")
    config = load_config(write(tmp_path, '[[forbund]]\nname = "F"\n[[forbund.organ]]\n'
                                         'name = "S"\n[matrix]\nuser_id = "@bot:x"\n'))
    assert config.database_url == "sqlite:///annan.db"
    assert config.matrix == {"user_id": "@bot:x", "password": "hemligt"}


def test_console_without_config_works_in_an_empty_folder(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    import io

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_DATABASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("!möte öppna Kansliet\n!beslut Ett beslut\n"))
    assert main(["console"]) == 0
    out = capsys.readouterr().out
    assert "Sammanträdet är öppnat: Styrelsen" in out
    assert "Beslut: Ett beslut" in out
    assert (tmp_path / "finsam-bot.db").exists()


def test_command_line_speaks_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["budget"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines() == ["användning: bot budget [-h] {import,export} ...",
                                "bot budget: fel: det här saknas: {import,export}"]
    with pytest.raises(SystemExit):
        main(["export", "--år", "tjugo", "--organ", "styrelsen"])
    assert "bot export: fel: --år/--ar/--year: ogiltigt värde: 'tjugo'" in capsys.readouterr().err
