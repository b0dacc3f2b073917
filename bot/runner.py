"""Runs the configured network transports (Matrix, Teams) and the public anslagstavla
(bot.web) side by side in one process.

Each transport is a module `bot.transports.<name>` with `async def serve(app) -> None`
that runs until cancelled; a transport runs when its config section (`[matrix]`,
`[teams]`) is filled in, and the anslagstavla when `[web]` is.

Several processes may run on one PostgreSQL database (bot.leadership): only the active one
runs ACTIVE_ONLY (the Matrix sync, which also sends the outbox) and the app's start hooks
(the reminder scheduler). Every process serves the rest: the Teams endpoint and the
anslagstavla answer each request over the database, so a standby behind the same address
(or a load balancer) answers too. On SQLite a second process refuses to start."""

from __future__ import annotations

import asyncio
import importlib
import sys

from bot.app import App
from bot.leadership import Leadership
from bot.render import render

NETWORK_TRANSPORTS = ("matrix", "teams")
ACTIVE_ONLY = ("matrix",)  # reads an event stream: two readers would both take each event


async def run_transports(app: App) -> int:
    names = [name for name in NETWORK_TRANSPORTS if getattr(app.config, name)]
    if not names and not app.config.web:
        print(render("konfiguration", "inget_nätverk", källa=app.config.source).text,
              file=sys.stderr)
        return 2
    leadership = Leadership(app.db)
    refusal = leadership.claim_process()
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 2
    modules = {name: importlib.import_module(f"bot.transports.{name}") for name in names}
    active_only = [m for n, m in modules.items() if n in ACTIVE_ONLY]
    everywhere = [module.serve(app) for n, module in modules.items() if n not in ACTIVE_ONLY]
    if app.config.web:
        from bot.web.server import prepare

        everywhere.append(prepare(app))  # before Teams starts: they may share its port

    async def act() -> None:
        # Reminders and the like post into chat rooms: with only [web] there is none.
        if modules:
            await app.start()
        try:
            await asyncio.gather(*(module.serve(app) for module in active_only),
                                 asyncio.Event().wait())  # the scheduler alone runs on
        finally:
            if modules:
                await app.stop()

    try:
        await asyncio.gather(leadership.run(act), *everywhere)
    finally:
        leadership.close()
    return 0
