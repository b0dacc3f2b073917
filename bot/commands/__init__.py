"""Command families, one module each. Each module declares its commands and registers them,
with whatever else it brings, in its `setup(app)`; bot/core/app.py lists the modules
(FEATURES). Importing a module registers nothing."""
