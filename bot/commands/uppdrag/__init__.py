"""Uppdrag that follow from decisions: `commands.py` (!uppdrag, and the after-decision hook
that reads them) and `recognition.py` (how Swedish protokoll phrase an uppdrag). Its
reminders are in bot/commands/justering/reminders.py."""
