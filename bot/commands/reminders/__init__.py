"""Reminders and deadlines in one place: the commands (commands.py: !påminn,
!påminnelser; frister.py: !frister, !rapport, !rapporter, !kalender), the scheduler service
(service.py), the kinds of reminder and how each is worded (kinds.py), the förbund's yearly
deadlines (deadlines.py, settings.py, public_holidays.py), mentions of people who must act
(mentions.py) and the calendar file (calendar.py). !sammanträde lives with the kallelse
(bot/commands/kallelse/sammantraden.py); tables and queries in storage/models_reminders.py,
storage/reminders.py and storage/reports.py."""
