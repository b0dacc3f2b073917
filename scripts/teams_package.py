"""Packages the Teams app for sideloading: teams/manifest.json filled in from [teams] in the
config (app_id, public_url, developer) plus the two icons, zipped.

    .venv/bin/python scripts/teams_package.py --config config.toml [--out sekreteraren.zip]
"""

from __future__ import annotations

import argparse
import json
import string
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import ConfigError, load_config  # noqa: E402
from bot.transports.teams_settings import load_settings  # noqa: E402

TEAMS = Path(__file__).resolve().parent.parent / "teams"


def manifest(app_id: str, public_url: str, developer: str) -> dict:
    text = string.Template((TEAMS / "manifest.json").read_text(encoding="utf-8")).safe_substitute(
        APP_ID=app_id, PUBLIC_URL=public_url, DOMAIN=urlparse(public_url).netloc,
        DEVELOPER=developer)  # safe: "$schema" is no placeholder
    return json.loads(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Paketerar Teams-appen för uppladdning.")
    parser.add_argument("--config", required=True, help="konfigurationsfil (TOML)")
    parser.add_argument("--out", default="sekreteraren-teams.zip", help="zip-fil att skriva")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        settings = load_settings(config)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    if not settings.public_url.startswith("https://"):
        print(f"Fel i {config.source}: nyckeln teams.public_url behövs för appaketet: skriv "
              'botens publika https-adress, t.ex. "https://bot.example.se".', file=sys.stderr)
        return 2
    developer = config.forbund[0].name if config.forbund else "Samordningsförbundet"
    data = manifest(settings.app_id, settings.public_url, developer)
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(data, ensure_ascii=False, indent=2))
        for icon in ("color.png", "outline.png"):
            archive.write(TEAMS / icon, icon)
    print(f"Skrev {args.out}. Ladda upp den i Teams: Appar → Hantera dina appar → "
          "Ladda upp en app.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
