"""A Matrix-only bot loads no chart, document, spreadsheet, seal or Teams library at start:
each is imported where it is used (issue 19, "A lighter process"). Checked in a fresh
interpreter, since this test process has imported them all long ago."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("matplotlib", "numpy", "PIL", "reportlab", "docx", "openpyxl", "pyhanko",
         "microsoft_agents", "dateparser", "icalendar", "holidays",
         # nio's store imports peewee, which imports psycopg if it can: on SQLite it is
         # hidden from peewee (bot/transports/nio_light.py).
         "psycopg",
         # The reply templates and Markdown load with the first reply or document.
         "jinja2", "markdown_it")

# What `bot run` does with a Matrix-only config up to the first sync: load the config,
# open and migrate the store, import the runner and the Matrix transport, build the
# client and start the reminder scheduler (its first housekeeping included). Then it runs
# the commands given on the command line and reports which of HEAVY are loaded.
CHILD = """
import asyncio, json, sys, uuid
from datetime import datetime, UTC
from bot.config import load_config
from bot.app import create_app
from bot.messages import IncomingMessage
import bot.runner
from bot.transports.matrix import MatrixBot
from bot.transports.matrix.config import matrix_settings

async def main():
    config = load_config(sys.argv[1])
    app = create_app(config)
    MatrixBot(app, matrix_settings(config))
    await app.start()
    await app.stop()
    files, texts = [], []
    for text in sys.argv[2:]:
        reply = app.dispatcher.handle_sync(IncomingMessage(
            transport="matrix", room_id="!styrelsen:localhost", sender_id="@ordf:localhost",
            sender_name="Ordf", text=text, event_id=uuid.uuid4().hex,
            timestamp=datetime.now(UTC)))
        files += [a.filename for a in reply.attachments]
        texts.append(reply.text)
    app.close()
    print(json.dumps({"loaded": [m for m in HEAVY_LIST if m in sys.modules],
                      "alembic": "alembic" in sys.modules, "files": files,
                      "texts": texts}))

asyncio.run(main())
"""

CONFIG = """
[bot]
database_url = "sqlite:///{db}"

[[forbund]]
key = "f"
name = "Samordningsförbundet Test"

[[forbund.organ]]
name = "Styrelsen"
rooms = ["!styrelsen:localhost"]

[[forbund.organ.member]]
name = "Ordf"
role = "ordförande"
ids = ["@ordf:localhost"]

[matrix]
homeserver = "http://127.0.0.1:9"
user_id = "@sekreteraren:localhost"
password = "hemligt"
store_path = "{store}"
"""


def _start(tmp_path: Path, *commands: str) -> dict[str, object]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(db=tmp_path / "bot.db", store=tmp_path / "store"),
                      encoding="utf-8")
    code = CHILD.replace("HEAVY_LIST", repr(list(HEAVY)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, str(config), *commands], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_matrix_only_bot_starts_without_the_heavy_libraries(tmp_path: Path) -> None:
    first = _start(tmp_path)
    assert first["loaded"] == []
    # The store is at the newest revision now: a restart does not even load alembic.
    again = _start(tmp_path)
    assert again == {"loaded": [], "alembic": False, "files": [], "texts": []}


def test_each_library_comes_when_it_is_used(tmp_path: Path) -> None:
    # A chart loads matplotlib (with numpy and PIL); a protokoll the document writers.
    chart = _start(tmp_path, "!insats ny Vidare Vy", "!utfall Vidare Vy 1 000",
                   "!budget diagram")
    assert chart["files"] == ["budget-2026.png"], chart["texts"]
    assert {"matplotlib", "numpy", "PIL"} <= set(chart["loaded"])  # type: ignore[arg-type]
    assert not {"reportlab", "docx"} & set(chart["loaded"])  # type: ignore[arg-type]
    protocol = _start(tmp_path, "!möte öppna", "!beslut Styrelsen beslutar att mötas.",
                      "!protokoll")
    assert [f.rsplit(".", 1)[1] for f in protocol["files"]] == ["pdf", "docx", "html", "md"], (
        protocol["texts"])
    assert {"reportlab", "docx"} <= set(protocol["loaded"])  # type: ignore[arg-type]
    assert "matplotlib" not in protocol["loaded"]  # type: ignore[operator]


def test_the_store_is_current_exactly_when_alembic_says_so() -> None:
    """storage.db reads the newest revisions without alembic; it must read them as alembic
    does, or a new migration would be skipped."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS, _heads

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert _heads() == frozenset(ScriptDirectory.from_config(config).get_heads())


def test_a_store_missing_a_migration_still_gets_it(db_url: str) -> None:
    """The shortcut past alembic is taken only when every branch is at its newest: a store
    from before the leader table (0010) gets the table on the next start."""
    from sqlalchemy import inspect, text

    from storage.db import Database

    db = Database(db_url)
    db.migrate()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE bot_leader"))
        connection.execute(text("DELETE FROM alembic_version WHERE version_num = '0010_leader'"))
    db.migrate()
    with db.engine.connect() as connection:
        assert inspect(connection).has_table("bot_leader")
        stamped = set(connection.execute(text("SELECT version_num FROM alembic_version"))
                      .scalars())
    assert "0010_leader" in stamped
    db.dispose()


def test_the_swedish_holidays_are_those_of_the_holidays_package() -> None:
    """bot/commands/reminders/public_holidays.py computes them instead of loading the package; every
    day and name must be the package's, for every year a deadline can fall in."""
    import holidays

    from bot.commands.reminders.public_holidays import swedish_holidays

    for year in range(2005, 2101):
        expected = holidays.Sweden(years=[year], language="sv",
                                   categories=("public", "de_facto"))
        assert swedish_holidays(year) == dict(sorted(expected.items())), year
    # Before 2005 the package's history (Annandag pingst, no Nationaldagen) is used.
    assert swedish_holidays(2004)[date(2004, 5, 31)] == "Annandag pingst"
