"""A short board meeting played by a chair and an ordinary member, for any transport.

Each step is (who, what they type, the start of the bot's answer). A transport's end-to-end
test sends the lines through the real platform and checks the answers; the chair is a room
moderator and ordförande in the config, the member is an ordinary ledamot."""

from __future__ import annotations

from typing import Any

from bot.config import Config, parse_config

CHAIR_NAME = "Carolina Sondell"
MEMBER_NAME = "Cecilia Sparf"
FORBUND_NAME = "Samordningsförbundet Testbygden"

MEETING: list[tuple[str, str, str]] = [
    ("member", "!organ Styrelsen", "Bara rummets moderatorer får använda !organ."),
    ("chair", "!organ Styrelsen",
     f"Rummet är nu kopplat till Styrelsen i {FORBUND_NAME}."),
    ("chair", "!möte öppna Digitalt via Matrix", "Sammanträdet är öppnat: Styrelsen, "),
    ("chair", f"!närvaro {CHAIR_NAME}, {MEMBER_NAME}", "Närvaro antecknad."),
    ("chair", "!paragraf Sammanträdet öppnas", "§ 1 Sammanträdet öppnas"),
    ("chair", f"!justerare {MEMBER_NAME}", ""),
    ("member", "!beslut Styrelsen beslutar att alla får kaka.",
     "Du får inte använda !beslut: bara ordförande och sekreterare i Styrelsen"),
    ("chair", "!paragraf Årsredovisning 2025", "§ 2 Årsredovisning 2025"),
    ("chair", "!beslut Styrelsen fastställer årsredovisningen för 2025.", "§ 2 "),
    ("member", "!visa §2", "§ 2 Årsredovisning 2025"),
    ("member", "!beslu något", "Jag känner inte till kommandot !beslu."),
    ("chair", "!möte avsluta", "Sammanträdet "),
    ("chair", "!protokoll", ""),
]


def meeting_config(*, chair_id: str, member_id: str, database_url: str,
                   extra: dict[str, Any] | None = None) -> Config:
    data: dict[str, Any] = {
        "bot": {"database_url": database_url},
        "forbund": [{"key": "testbygden", "name": FORBUND_NAME, "organ": [
            {"name": "Styrelsen", "member": [
                {"name": CHAIR_NAME, "role": "ordförande", "organisation_short": "TK",
                 "ids": [chair_id]},
                {"name": MEMBER_NAME, "role": "ledamot", "organisation_short": "AF",
                 "ids": [member_id]},
            ]},
            {"key": "lsg", "name": "Lokala samverkansgruppen", "kind": "lsg"},
        ]}],
    }
    data.update(extra or {})
    return parse_config(data, "test.toml")


def check_protokoll(markdown: str) -> None:
    """What the protokoll of MEETING must say."""
    assert f"**{FORBUND_NAME}**" in markdown
    assert "## § 1 Sammanträdet öppnas" in markdown
    assert "## § 2 Årsredovisning 2025" in markdown
    assert "- Styrelsen fastställer årsredovisningen för 2025." in markdown
    assert "alla får kaka" not in markdown
    assert f"| Justerare | {MEMBER_NAME} |" in markdown
