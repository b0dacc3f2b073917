"""The entry point's name for the App (transports and tests import it from here); it is
defined, with FEATURES and create_app, in bot/core/app.py."""

from bot.core.app import FEATURES, App, Feature, Hook, Sender, build_app, create_app

__all__ = ["FEATURES", "App", "Feature", "Hook", "Sender", "build_app", "create_app"]
