"""An iCalendar (.ics) file of a deadline result, one all-day event per date.

    ics = to_ics(result, "nl")

Each event: DTSTART;VALUE=DATE and DTEND the day after, SUMMARY in the user's language, a
DESCRIPTION that says the DUO letter / Mijn Inburgering wins, and a display reminder (14 days
before a deadline, on the morning of other dates). Planning estimates (hours_450_reached,
hours_600_reached: the current pace, not law) are included as clearly marked planning events:
SUMMARY "Planning: ...", CATEGORIES PLANNING, a description that says they are no legal date,
and no reminder. UIDs depend only on the key and the date, so importing the same result twice
does not duplicate events. Texts come from the catalogue; `icalendar` is imported lazily.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

from knowledge import texts
from knowledge.deadlines.labels import DATE_KEYS, PLANNING_KEYS, format_date, label, language

__all__ = ["DEADLINE_KEYS", "PLANNING_CATEGORY", "PRODID", "events", "ics_bytes", "to_ics"]

PRODID = "-//Wegwijs//Persoonlijke termijnen//NL"
UID_DOMAIN = "deadlines.wegwijs"
# Last days (a reminder 14 days ahead); the other dates are "from" dates or letters.
DEADLINE_KEYS = frozenset(
    {"termijn_end", "extended_end", "mvv_collect_by", "enter_nl_by", "health_insurance_by", "loan_repayment_start"}
)
REMINDER_BEFORE_DEADLINE = timedelta(days=14)
REMINDER_ON_THE_DAY = timedelta(hours=9)  # 09:00 on the day itself
PLANNING_CATEGORY = "PLANNING"


def events(result: Mapping[str, Any]) -> list[tuple[str, date]]:
    """(key, date) for every date in the result, plus the extended end of an extension; the
    planning estimates come last."""
    dates = result.get("dates", {})
    found = [(key, date.fromisoformat(dates[key])) for key in DATE_KEYS if key in dates]
    extended = result.get("checks", {}).get("verlenging_hours_ground", {}).get("extended_end")
    if extended:
        found.append(("extended_end", date.fromisoformat(extended)))
    found += [(key, date.fromisoformat(dates[key])) for key in PLANNING_KEYS if key in dates]
    return found


def to_ics(result: Mapping[str, Any], lang: str, stamp: datetime | None = None) -> bytes:
    """The result as an iCalendar file (bytes). `stamp` is DTSTAMP (default: now, UTC)."""
    from icalendar import Alarm, Calendar, Event

    lang = language(lang)
    stamp = (stamp or datetime.now(timezone.utc)).astimezone(timezone.utc)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", texts.text("deadlines.ics.calendar_name", lang))

    for key, day in events(result):
        title = label(key, lang)
        written = format_date(day, lang)
        event = Event()
        event.add("uid", f"{key}-{day:%Y%m%d}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        if key in PLANNING_KEYS:  # planning, not law: marked as such and never a reminder
            event.add("summary", texts.text("deadlines.ics.planning_summary", lang, label=title))
            event.add("description", texts.text("deadlines.ics.planning_description", lang, label=title, date=written))
            event.add("categories", [PLANNING_CATEGORY])
            calendar.add_component(event)
            continue
        event.add("summary", title)
        event.add("description", texts.text("deadlines.ics.description", lang, label=title, date=written))

        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", texts.text("deadlines.ics.reminder", lang, label=title, date=written))
        alarm.add("trigger", -REMINDER_BEFORE_DEADLINE if key in DEADLINE_KEYS else REMINDER_ON_THE_DAY)
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


def ics_bytes(result: Any, lang: str) -> bytes:
    """The calendar file as sent (UTF-8)."""
    ics = to_ics(result, lang)
    return ics.encode("utf-8") if isinstance(ics, str) else ics
