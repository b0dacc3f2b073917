"""The förbund's yearly deadlines: when they fall, whether that day is a working day, and
the reminders the bot creates for them without anyone asking.

Working days: Monday–Friday except Swedish public holidays and the de facto ones
(midsommarafton, julafton, nyårsafton), bot/commands/reminders/public_holidays.py. A deadline on a
non-working day is shown with that fact and the last working day before it. A reminder
whose day is not a working day goes out on the working day before, and says how many
calendar and working days remain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.commands.reminders.public_holidays import swedish_holidays
from bot.commands.reminders.settings import DeadlineRule, forbund_settings
from bot.config import Config
from storage.models_reminders import PLANNED, SKIPPED
from storage.reminders import keys_with_prefix, replan_reminder, schedule_reminder, skip_reminder
from storage.tenants import forbund_by_key, organs_of_kind

HORIZON_DAYS = 400  # deadlines this far ahead get their reminders


def day_off(day: date) -> str | None:
    """Why `day` is not a working day ("lördag", "söndag", "trettondedag jul"), or None.
    Holidays are written in lower case as in running Swedish text, except Kristi (a name)."""
    name = swedish_holidays(day.year).get(day)
    if name:
        return name if name.startswith("Kristi") else name[:1].lower() + name[1:]
    if day.weekday() == 5:
        return "lördag"
    if day.weekday() == 6:
        return "söndag"
    return None


def working_day_before(day: date) -> date:
    """`day` if it is a working day, else the nearest working day before it."""
    while day_off(day):
        day -= timedelta(days=1)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        if not day_off(day):
            count += 1
        day += timedelta(days=1)
    return count


@dataclass(frozen=True)
class Deadline:
    """One deadline on one date, as the templates show it."""

    key: str
    day: date
    off: str | None  # why the day is not a working day
    last_working_day: date
    report_year: int | None  # årsrapport: the year reported on
    per: date | None = None  # delårsrapport: the day it is made up to

    @classmethod
    def of(cls, rule: DeadlineRule, year: int) -> Deadline:
        day = rule.on(year)
        return cls(rule.key, day, day_off(day), working_day_before(day),
                   year - 1 if rule.key == "arsrapport" else None, rule.per_on(year))


def deadlines_in(rules: tuple[DeadlineRule, ...], year: int) -> list[Deadline]:
    return sorted((Deadline.of(rule, year) for rule in rules), key=lambda d: d.day)


def reminder_day(deadline: date, days_before: int) -> date:
    return working_day_before(deadline - timedelta(days=days_before))


def _per(rule: DeadlineRule, year: int) -> dict[str, str]:
    per = rule.per_on(year)
    return {"per": per.isoformat()} if per else {}


def ensure_deadline_reminders(session: Session, config: Config, now: datetime) -> int:
    """Create the coming deadline reminders of every förbund in its styrelse organs (once
    each: the key is unique), and remove planned ones the config no longer asks for.
    Returns how many were created."""
    created = 0
    for fc in config.forbund:
        forbund = forbund_by_key(session, fc.key)
        if forbund is None:
            continue
        settings = forbund_settings(config, fc)
        tz = ZoneInfo(fc.timezone)
        today = now.astimezone(tz).date()
        organs = organs_of_kind(session, forbund.id, "styrelse")
        prefix = f"frist:{forbund.id}:"
        existing = keys_with_prefix(session, prefix)
        wanted: set[str] = set()
        for rule in settings.deadlines:
            for year in range(today.year, today.year + 2):
                deadline = rule.on(year)
                if not today <= deadline <= today + timedelta(days=HORIZON_DAYS):
                    continue
                for days in rule.days_before:
                    send_day = reminder_day(deadline, days)
                    due = datetime.combine(send_day, settings.reminder_time, tzinfo=tz)
                    if due <= now:
                        continue
                    for organ in organs:
                        key = (f"{prefix}{organ.id}:{rule.key}:{deadline.isoformat()}:"
                               f"{days}")
                        wanted.add(key)
                        old = existing.get(key)
                        if old is not None:
                            if old.status == SKIPPED:
                                # asked for again after a config change (a user's removal
                                # is REMOVED and stays)
                                replan_reminder(session, old, due)
                            continue
                        schedule_reminder(
                            session, organ_id=organ.id, due_at=due, kind="frist",
                            ref=f"frist:{forbund.id}:{rule.key}:{deadline.isoformat()}",
                            key=key, created_by="frister",
                            payload={"frist": rule.key, "datum": deadline.isoformat(),
                                     "dagar": days, **_per(rule, year)})
                        created += 1
        for key, reminder in existing.items():
            if key not in wanted and reminder.status == PLANNED and reminder.due_at > now:
                skip_reminder(session, reminder)
    return created
