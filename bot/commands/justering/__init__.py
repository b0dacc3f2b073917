"""Justering and anslag: `commands.py` (!protokoll klart, !justera, !omedelbar justering,
!anslagstavla), `plan.py` (!justeringsplats, `!justera den <datum>`) and `reminders.py`
(the justering, anslag and uppdrag reminders). Texts in bot/templates/replies/justering.md.j2,
queries in storage/justering.py."""
