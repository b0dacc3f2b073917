"""Runs the configured network transports (Matrix, Teams) in one process."""

from __future__ import annotations

import sys

from bot.app import App


async def run_transports(app: App) -> int:
    transports = [name for name in ("matrix", "teams") if getattr(app.config, name)]
    if not transports:
        print(f"Fel i {app.config.source}: varken [matrix] eller [teams] är ifyllt. "
              "Fyll i en av dem, eller använd bot console för att prova i terminalen.",
              file=sys.stderr)
        return 2
    print(f"Transporterna {', '.join(transports)} är inte byggda ännu.", file=sys.stderr)
    return 2
