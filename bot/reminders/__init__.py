"""Reminders and deadlines: the scheduler service, built-in förbund deadlines, meeting
reminders and the calendar file. Commands live in bot/commands/{reminders,sammantraden,
frister}.py; tables and queries in storage/models_reminders.py, storage/reminders.py and
storage/reports.py."""
