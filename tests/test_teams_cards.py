"""Adaptive Cards from replies, and the [teams] config, without any network."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.app import App
from bot.config import ConfigError, load_config
from bot.messages import Attachment, Reply
from bot.render import markdown_to_html, md_escape, render
from bot.transports import teams as teams_transport
from bot.transports.teams_cards import (
    FileLink,
    blocks_of,
    document_card,
    needs_card,
    plain_text,
    reply_card,
)
from bot.transports.teams_service_urls import ServiceUrls
from bot.transports.teams_settings import load_settings
from tests.conftest import FIXTURES, command_registry, make_app
from tests.teams_support import APP_ID, TENANT_ID


def markdown_reply(text: str) -> Reply:
    return Reply(text=text, html=markdown_to_html(text))


def test_a_table_becomes_an_adaptive_card_table() -> None:
    reply = markdown_reply(
        "Budget 2022 för Styrelsen:\n\n| Insats | Beviljat | Utfall | Kvar |\n|---|---|---|---|\n"
        "| Äpplet | 455 000 kr | 404 316 kr | 50 684 kr |\n"
        "| Resurslotsen | 1 234 567 kr | 0 kr | 1 234 567 kr |")
    assert needs_card(reply)
    card = reply_card(reply)
    title, table = card["body"]
    assert title == {"type": "TextBlock", "text": "Budget 2022 för Styrelsen:", "wrap": True,
                     "weight": "Bolder"}
    assert table["type"] == "Table" and table["firstRowAsHeaders"] is True
    assert len(table["columns"]) == 4
    cells = [[c["items"][0]["text"] for c in row["cells"]] for row in table["rows"]]
    assert cells == [["Insats", "Beviljat", "Utfall", "Kvar"],
                     ["Äpplet", "455 000 kr", "404 316 kr", "50 684 kr"],
                     ["Resurslotsen", "1 234 567 kr", "0 kr", "1 234 567 kr"]]
    assert card["fallbackText"] == reply.text


def test_user_text_stays_text_in_the_json() -> None:
    # Rendered the way commands render: user values escaped for the HTML variant.
    evil = 'Citat "}], "actions": [{"type": "Action.OpenUrl"}] <script>alert(1)</script> & \\'
    reply = render("fel", "okänd_underkommando", kommando="möte", text=evil,
                   former=["!möte öppna", "!möte avsluta", "!möte"] * 3)
    assert needs_card(reply)  # nine alternatives: a long listing
    card = reply_card(reply)
    assert card["actions"] == []
    first = card["body"][0]["text"]
    assert evil in first
    assert json.loads(json.dumps(card)) == card


def test_help_card_and_short_replies() -> None:
    registry = command_registry()
    overview = render("hjalp", "översikt", grupper=registry.groups())
    assert needs_card(overview)
    blocks = blocks_of(overview.html)
    assert blocks[0].text == "Kommandon (skriv !hjälp <kommando> för mer):"
    titles = [b.text for b in blocks if b.is_title]
    assert "Sammanträdet" in titles and "Protokoll" in titles
    body = reply_card(overview)["body"]
    assert {"type": "TextBlock", "text": "• !protokoll: Skriver protokollet för ett "
            "sammanträde (PDF, Word, HTML och Markdown).", "wrap": True, "spacing": "None"} in body
    assert not needs_card(markdown_reply("§ 22 Sammanträdet öppnas"))
    assert not needs_card(render("hjalp", "kommando", k=registry.get("beslut")))


def test_nested_lists_and_line_breaks() -> None:
    blocks = blocks_of("<ul><li>Ett<ul><li>Ett a</li></ul></li><li><p>Två</p></li></ul>"
                       "<p>Rad 1<br>\nRad 2</p>")
    assert blocks[0].items == ["Ett", "Ett a", "Två"]
    assert blocks[1].text.startswith("Rad 1\n") and blocks[1].text.endswith("Rad 2")


def test_plain_text_drops_the_templates_bold_but_keeps_the_users() -> None:
    def insats(name: str) -> Reply:
        report = SimpleNamespace(
            insats=SimpleNamespace(name=name), year=2022, grants=[], outcomes=[],
            granted_ore=45_500_000, spent_ore=22_722_300, remaining_ore=22_777_700,
            share_used=50, latest_on=None, latest_comment="")
        return render("budget", "insats", r=report, alias=[],
                      förbund="Samordningsförbundet i Örnsköldsvik")

    reply = insats("Vidare Vy")
    assert reply.text.startswith("**Vidare Vy 2022**")  # Markdown, as Matrix shows it
    assert plain_text(reply) == reply.text.replace("**", "")
    assert plain_text(reply).startswith(
        "Vidare Vy 2022 (Samordningsförbundet i Örnsköldsvik)\nInga beviljade medel eller utfall")
    # A user's own markup is shown as typed.
    evil = insats("**Vidare** _Vy_ *x*")
    assert plain_text(evil).startswith(
        "**Vidare** _Vy_ *x* 2022 (Samordningsförbundet i Örnsköldsvik)")
    kallelse = Reply(text="*Förslag till beslut:* Att **godkänna** *x*",
                     html=markdown_to_html("*Förslag till beslut:* Att \\*\\*godkänna\\*\\* "
                                           "\\*x\\*"))
    assert plain_text(kallelse) == "Förslag till beslut: Att **godkänna** *x*"


def test_user_markdown_in_a_card_stays_text() -> None:
    """TextBlocks read Markdown: a user's **x**, _x_ or "- " must not format (the
    template's own bold, from <strong>, still does)."""
    user = "**Viktigt** _Vidare_ Vy\n- punkt\n1. ett"
    reply = Reply(text=f"**Insats:** {user}",
                  html=markdown_to_html(f"**Insats:** {md_escape(user)}"))
    (block,) = reply_card(reply)["body"]
    text = block["text"]
    assert text.startswith("**Insats:** ")
    shown = text.replace("\u200b", "").replace("\u2217", "*").split("\n")
    assert [line for line in shown if line] == [
        "**Insats:** **Viktigt** _Vidare_ Vy", "- punkt", "1. ett"]
    assert "**Viktigt**" not in text and "_Vidare_" not in text
    assert "\n- " not in text and "\n1. " not in text
    # Table cells and the document title are user text too.
    table = Reply(text="", html=markdown_to_html(
        "| Insats |\n|---|\n| " + md_escape("**Äpplet**") + " |"))
    (card_table,) = reply_card(table)["body"]
    cell = card_table["rows"][1]["cells"][0]["items"][0]["text"]
    assert cell == "\u2217\u2217Äpplet\u2217\u2217"
    title = document_card(Reply(text="Kalender för _Styrelsen_", html=""), "", [])
    assert title["body"][0]["text"] == "Kalender för \u200b_\u200bStyrelsen\u200b_\u200b"


def test_document_card_from_a_protokoll_page() -> None:
    page = ("<h1>Protokoll</h1><p><strong>Samordningsförbundet i Örnsköldsvik</strong></p>"
            "<table><thead><tr><th>Sammanträdesdatum</th><th>2022-03-25 (fredag 25 mars 2022)"
            "</th></tr></thead><tbody><tr><td>Paragrafer</td><td>22–30</td></tr></tbody></table>"
            "<h2>§ 22 Sammanträdet öppnas</h2><p>Text</p><h2>§ 30 Avslutning</h2>"
            "<h2>Underskrifter</h2>")
    reply = Reply(text="Protokoll för Styrelsen fredag 25 mars 2022, § 22–30.\nBifogat.",
                  html="", attachments=[Attachment("p.html", "text/html", page.encode())])
    card = document_card(reply, page, [
        FileLink("p.html", "text/html", "https://bot.example.se/filer/abc/p.html"),
        FileLink("p.md", "text/markdown", "https://bot.example.se/filer/def/p.md")])
    assert card["body"][0]["text"] == "Protokoll för Styrelsen fredag 25 mars 2022, § 22–30."
    assert card["body"][1]["facts"] == [
        {"title": "Sammanträdesdatum", "value": "2022-03-25 (fredag 25 mars 2022)"},
        {"title": "Paragrafer", "value": "22–30"}]
    assert [b["text"] for b in card["body"][2:]] == [
        "Paragrafer", "§ 22 Sammanträdet öppnas", "§ 30 Avslutning"]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "url": "https://bot.example.se/filer/abc/p.html",
         "title": "Öppna p.html"},
        {"type": "Action.OpenUrl", "url": "https://bot.example.se/filer/def/p.md",
         "title": "Ladda ner p.md"}]


def teams_config(**teams: object) -> object:
    config = load_config(FIXTURES / "ornskoldsvik.toml")
    config.teams = {"app_id": APP_ID, "app_password": "hemlighet", "tenant_id": TENANT_ID,
                    **teams}
    return config


def test_settings_defaults_and_errors() -> None:
    settings = load_settings(teams_config(conversations={"19:a@thread.tacv2": "styrelsen"}))
    assert settings.port == 3978 and settings.host == "0.0.0.0"
    assert settings.conversations == {"19:a@thread.tacv2": "styrelsen"}
    assert settings.service_url_hosts == ("botframework.com", "smba.trafficmanager.net")
    assert load_settings(teams_config(service_url_hosts=[
        "*.botframework.com", " SMBA.trafficmanager.net ",
        "https://smba.infra.gcc.teams.microsoft.com/", "http://127.0.0.1"])).service_url_hosts == (
        "botframework.com", "smba.trafficmanager.net", "smba.infra.gcc.teams.microsoft.com",
        "http://127.0.0.1")
    cases = {
        "port": ("3978", "nyckeln teams.port ska vara ett heltal mellan 1 och 65535, t.ex. 3978."),
        "app_id": ("", "nyckeln teams.app_id saknas"),
        "tenant_id": (7, "nyckeln teams.tenant_id ska vara en text inom citattecken"),
        "public_url": ("bot.example.se", "nyckeln teams.public_url ska börja med https://"),
        "conversations": (["19:a"], "nyckeln teams.conversations ska vara en tabell"),
        "service_url_hosts": ([], "nyckeln teams.service_url_hosts är tom: då kan boten inte "
                              'svara någon; skriv t.ex. ["botframework.com", '
                              '"smba.trafficmanager.net"].'),
    }
    for key, (value, message) in cases.items():
        with pytest.raises(ConfigError) as error:
            load_settings(teams_config(**{key: value}))
        assert str(error.value).startswith(f"Fel i {FIXTURES / 'ornskoldsvik.toml'}: ")
        assert message in str(error.value), str(error.value)
    with pytest.raises(ConfigError, match=r'nyckeln teams\.conversations\."19:b" ska vara'):
        load_settings(teams_config(conversations={"19:b": 3}))
    for entry in ("https://smba.trafficmanager.net/emea/", "smba.trafficmanager.net:443",
                  "ftp://botframework.com", "user@botframework.com"):
        with pytest.raises(ConfigError) as error:
            load_settings(teams_config(service_url_hosts=["botframework.com", entry]))
        assert str(error.value).endswith(
            f'nyckeln teams.service_url_hosts har "{entry}", som inte är ett värdnamn; skriv '
            'värdnamn utan sökväg och port, t.ex. ["botframework.com", '
            '"smba.trafficmanager.net"].'), str(error.value)


def test_service_urls_allow_listed_hosts_only() -> None:
    urls = ServiceUrls(("botframework.com", "smba.trafficmanager.net", "http://127.0.0.1"))
    for url in ("https://smba.trafficmanager.net/emea/",
                "https://SMBA.trafficmanager.net/amer/x/", "https://webchat.botframework.com/",
                "http://127.0.0.1:3978/"):
        assert urls.is_allowed(url), url
    for url in ("http://smba.trafficmanager.net/emea/",  # https only, unless listed as http
                "https://smba.trafficmanager.net.evil.example/", "https://evilbotframework.com/",
                "https://user:pw@webchat.botframework.com/", "http://user@127.0.0.1:3978/",
                "http://127.0.0.2:3978/", "https://127.0.0.1/", "not a url", ""):
        assert not urls.is_allowed(url), url


def test_serve_reports_an_unknown_organ(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    app: App = make_app(teams_config(port=39781, host="127.0.0.1",
                                     conversations={"19:x@thread.tacv2": "kansliet"}), db_url)
    try:
        with pytest.raises(SystemExit) as stop:
            asyncio.run(teams_transport.serve(app))
        assert stop.value.code == 2
        assert ('nyckeln teams.conversations."19:x@thread.tacv2" pekar på organet "kansliet", '
                "som finns inte") in capsys.readouterr().err
    finally:
        app.close()


def test_the_app_package(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text((FIXTURES / "ornskoldsvik.toml").read_text(encoding="utf-8") + (
        f'\n[teams]\napp_id = "{APP_ID}"\napp_password = "x"\ntenant_id = "{TENANT_ID}"\n'
        'public_url = "https://sekreteraren.ovik.se"\n'), encoding="utf-8")
    out = tmp_path / "app.zip"
    assert subprocess.run([sys.executable, "scripts/teams_package.py", "--config", str(config),
                           "--out", str(out)], check=False).returncode == 0
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        data = json.loads(archive.read("manifest.json"))
        assert archive.read("color.png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert data["id"] == APP_ID and data["bots"][0]["botId"] == APP_ID
    assert data["validDomains"] == ["sekreteraren.ovik.se"]
    assert data["developer"]["name"] == "Samordningsförbundet i Örnsköldsvik"
    assert data["developer"]["websiteUrl"] == "https://sekreteraren.ovik.se"
    # RSC (read channel messages without @) needs webApplicationInfo from manifest 1.12 on.
    assert data["authorization"]["permissions"]["resourceSpecific"]
    assert data["webApplicationInfo"] == {"id": APP_ID, "resource": f"api://botid-{APP_ID}"}


def test_bot_run_serves_teams_with_the_password_from_the_environment(tmp_path: Path) -> None:
    """`bot run` as a user starts it: [teams] without app_password in the file, the secret
    in BOT_TEAMS_APP_PASSWORD; the endpoint is up and refuses a request without a token."""
    import os
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text((FIXTURES / "ornskoldsvik.toml").read_text(encoding="utf-8") + (
        f'\n[bot]\ndatabase_url = "sqlite:///{tmp_path / "bot.db"}"\n'
        f'\n[teams]\napp_id = "{APP_ID}"\ntenant_id = "{TENANT_ID}"\nhost = "127.0.0.1"\n'
        f'port = {port}\npublic_url = "https://sekreteraren.ovik.se"\n'), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    without = subprocess.run([sys.executable, "-m", "bot", "run", "--config", str(config)],
                             env=env, capture_output=True, text=True, timeout=60)
    assert without.returncode == 2
    assert "nyckeln teams.app_password saknas" in without.stderr, without.stderr
    env["BOT_TEAMS_APP_PASSWORD"] = "hemlighet"
    process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        status = None
        while status is None:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the Teams endpoint never came up"
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/messages",
                                             data=b"{}", method="POST",
                                             headers={"Content-Type": "application/json"})
            try:
                urllib.request.urlopen(request, timeout=5)
                status = 200
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                time.sleep(0.3)
        assert status == 401
    finally:
        process.terminate()
        process.wait(timeout=30)
