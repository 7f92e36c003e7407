"""Office hours of the regievoerders' team (from the municipality file) and the next opening.

`openingstijden` maps Dutch weekday names to `["09:00", "17:00"]`, in Europe/Amsterdam time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class OfficeHours:
    hours: dict[int, tuple[time, time]]  # weekday (0 = Monday) -> (opens, closes)
    tz: ZoneInfo

    @classmethod
    def from_openingstijden(cls, openingstijden: dict[str, list[str]], timezone: str) -> OfficeHours:
        hours: dict[int, tuple[time, time]] = {}
        for name, span in (openingstijden or {}).items():
            day = name.strip().lower()
            if day not in WEEKDAYS_NL or not span or len(span) != 2:
                continue
            opens, closes = (time.fromisoformat(str(value)) for value in span)
            if opens < closes:
                hours[WEEKDAYS_NL.index(day)] = (opens, closes)
        return cls(hours=hours, tz=ZoneInfo(timezone))

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        span = self.hours.get(local.weekday())
        return span is not None and span[0] <= local.time() < span[1]

    def next_opening(self, moment: datetime) -> datetime | None:
        """The next moment the team opens (local time), or None when no hours are configured."""
        local = moment.astimezone(self.tz)
        for offset in range(0, 8):
            day: date = local.date() + timedelta(days=offset)
            span = self.hours.get(day.weekday())
            if span is None:
                continue
            opening = datetime.combine(day, span[0], tzinfo=self.tz)
            if opening > local:
                return opening
        return None


def describe_opening(opening: datetime, now: datetime, language: str) -> str:
    """"morgen om 09:00" / "maandag om 09:00" (en: "tomorrow at 09:00" / "Monday at 09:00")."""
    local_now = now.astimezone(opening.tzinfo)
    days = (opening.date() - local_now.date()).days
    clock = opening.strftime("%H:%M")
    if language == "en":
        day = "today" if days == 0 else "tomorrow" if days == 1 else WEEKDAYS_EN[opening.weekday()]
        return f"{day} at {clock}"
    day = "vandaag" if days == 0 else "morgen" if days == 1 else WEEKDAYS_NL[opening.weekday()]
    return f"{day} om {clock}"
