"""Capabilities that run beside the commands (a scheduler, …) register a set-up function
here; `create_app` calls each with the new App. Kept apart from bot.app so command modules
can register without importing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

APP_EXTENSIONS: list[Callable[[Any], None]] = []


def extension(setup: Callable[[Any], None]) -> Callable[[Any], None]:
    APP_EXTENSIONS.append(setup)
    return setup
