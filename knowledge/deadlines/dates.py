"""Calendar arithmetic for deadlines (see shared/knowledge/deadline-contract.md, "Conventions").

`add_years` and `add_months` keep the day of the month and clamp to the last day of the
target month when that day does not exist (29 Feb + 1 year = 28 Feb; 31 Aug + 6 months =
28/29 Feb), as in Reg. 1182/71 art. 3(2)(c). Calendar dates only; the rules never read the
clock. `today()` is the one place that does: the current date in Europe/Amsterdam.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone

__all__ = ["TIMEZONE", "add_days", "add_months", "add_years", "last_day_of_month", "today"]

TIMEZONE = "Europe/Amsterdam"


def last_day_of_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(d: date, months: int) -> date:
    """`d` plus `months` calendar months (may be negative), clamped to the month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, last_day_of_month(year, month)))


def add_years(d: date, years: int) -> date:
    """`d` plus `years` calendar years, clamped (29 Feb -> 28 Feb in a common year)."""
    return add_months(d, 12 * years)


def add_days(d: date, days: int) -> date:
    return d + timedelta(days=days)


def today(tz: str | None = None) -> date:
    """The current calendar date in `tz` (default Europe/Amsterdam): "today" for every caller."""
    try:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(tz or TIMEZONE)).date()
    except Exception:  # pragma: no cover - no tz database on this system
        return (datetime.now(timezone.utc) + timedelta(hours=1)).date()
