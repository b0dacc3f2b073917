"""Everything that touches the database: models, setup, migrations and queries."""

import importlib
import pkgutil

from sqlmodel import SQLModel

# The tables are written and read through SQLAlchemy; pydantic validates none of them on
# the way. Its validators and serializers are then built on first use, if ever, instead of
# for all 45 tables at start (0.6 MiB of an idle bot; issue 19, "A lighter process").
# Set before any storage.models_* module defines a table: pydantic reads it from the base.
SQLModel.model_config["defer_build"] = True


def load_models() -> None:
    """Import every `storage/models*.py`, so all tables are registered with SQLModel."""
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("models"):
            importlib.import_module(f"{__name__}.{module.name}")
