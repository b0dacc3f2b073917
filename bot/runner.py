"""Runs the configured network transports (Matrix, Teams) side by side in one process.

Each transport is a module `bot.transports.<name>` with `async def serve(app) -> None`
that runs until cancelled; a transport runs when its config section (`[matrix]`,
`[teams]`) is filled in."""

from __future__ import annotations

import asyncio
import importlib
import sys

from bot.app import App

NETWORK_TRANSPORTS = ("matrix", "teams")


async def run_transports(app: App) -> int:
    names = [name for name in NETWORK_TRANSPORTS if getattr(app.config, name)]
    if not names:
        print(f"Fel i {app.config.source}: varken [matrix] eller [teams] är ifyllt. "
              "Fyll i en av dem, eller prova boten i terminalen med bot console.",
              file=sys.stderr)
        return 2
    modules = [importlib.import_module(f"bot.transports.{name}") for name in names]
    await app.start()
    try:
        await asyncio.gather(*(module.serve(app) for module in modules))
    finally:
        await app.stop()
    return 0
