"""Command families: a module each (paragraphs, lookup, budget, reminders, frister, rooms,
help), or a package each when the capability has more than its commands (justering,
kallelse, protokoll, sammantrade, uppdrag, utdrag: commands, domain logic, CLI and files in
one folder). Each command module declares its commands and registers them, with whatever
else it brings, in its `setup(app)`; bot/core/app.py lists the modules (FEATURES).
Importing a module registers nothing."""
