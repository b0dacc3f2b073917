"""Runs the configured network transports (Matrix, Teams) and the public anslagstavla
(bot.web) side by side in one process.

Each transport is a module `bot.transports.<name>` with `async def serve(app) -> None`
that runs until cancelled; a transport runs when its config section (`[matrix]`,
`[teams]`) is filled in, and the anslagstavla when `[web]` is."""

from __future__ import annotations

import asyncio
import importlib
import sys

from bot.app import App

NETWORK_TRANSPORTS = ("matrix", "teams")


async def run_transports(app: App) -> int:
    names = [name for name in NETWORK_TRANSPORTS if getattr(app.config, name)]
    if not names and not app.config.web:
        print(f"Fel i {app.config.source}: varken [matrix], [teams] eller [web] är ifyllt. "
              "Fyll i en av dem, eller prova boten i terminalen med bot console.",
              file=sys.stderr)
        return 2
    modules = [importlib.import_module(f"bot.transports.{name}") for name in names]
    services = []
    if app.config.web:
        from bot.web.server import prepare

        services.append(prepare(app))  # before Teams starts: they may share its port
    # Reminders and the like post into chat rooms: with only [web] there is none to post in.
    if modules:
        await app.start()
    try:
        await asyncio.gather(*(module.serve(app) for module in modules), *services)
    finally:
        if modules:
            await app.stop()
    return 0
