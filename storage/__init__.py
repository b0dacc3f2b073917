"""Everything that touches the database: models, setup, migrations and queries."""

import importlib
import pkgutil


def load_models() -> None:
    """Import every `storage/models*.py`, so all tables are registered with SQLModel."""
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("models"):
            importlib.import_module(f"{__name__}.{module.name}")
