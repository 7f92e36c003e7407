"""Pace: planning advice from the hours per week (not law), in plain words from the catalogue.

    sentences(result, inputs, "en")
    -> ["At 6 hours a week you reach 600 hours on 3 March 2027, 2 months after your term ends on
        12 January 2027. Talk to your regievoerder about afschalen now."]

The legal dates stay in `result["dates"]`; these sentences only read the planning estimates
`hours_450_reached` / `hours_600_reached` beside `termijn_end`, and never change a legal date.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from knowledge import texts

from .labels import format_date

__all__ = ["gap_words", "number", "sentence", "sentences"]

# (planning key, hours it stands for, the check whose `reason: route` makes it moot)
TARGETS = (("hours_600_reached", 600, "afschalen"), ("hours_450_reached", 450, "verlenging_hours_ground"))
DAYS_PER_MONTH = 30.44


def _t(key: str, lang: str | None, **params: Any) -> str:
    return texts.text(f"deadlines.{key}", lang, **params)


def number(value: float | int, lang: str | None) -> str:
    """6 -> "6"; 7.5 -> "7,5" (nl) / "7.5" (en)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}".replace(".", _t("decimal_separator", lang))


def gap_words(first: date, second: date, lang: str | None) -> str:
    """The time between two dates, rounded as people say it: days, weeks, then months."""
    days = abs((second - first).days)
    if days < 14:
        return _t("gap.day", lang) if days == 1 else _t("gap.days", lang, n=days)
    if days < 45:
        weeks = round(days / 7)
        return _t("gap.weeks", lang, n=weeks)
    months = round(days / DAYS_PER_MONTH)
    return _t("gap.month", lang) if months == 1 else _t("gap.months", lang, n=months)


def sentence(target: int, reached: date, per_week: float, end: date | None, lang: str | None) -> str:
    """One pace sentence for reaching `target` hours on `reached`, against the term's last day."""
    params = {"per_week": number(per_week, lang), "date": format_date(reached, lang)}
    if end is None:
        return _t(f"pace.{target}.no_end", lang, **params)
    params["end"] = format_date(end, lang)
    if reached == end:
        return _t(f"pace.{target}.on_end", lang, **params)
    where = "after_end" if reached > end else "before_end"
    return _t(f"pace.{target}.{where}", lang, gap=gap_words(reached, end, lang), **params)


def sentences(result: Mapping[str, Any], inputs: Mapping[str, Any], lang: str | None) -> list[str]:
    """The pace sentences for a result (600 first: afschalen is the step to talk about now)."""
    per_week = inputs.get("hours_per_week")
    if not per_week:
        return []
    dates, checks = result.get("dates", {}), result.get("checks", {})
    end = date.fromisoformat(dates["termijn_end"]) if dates.get("termijn_end") else None
    out = []
    for key, target, check in TARGETS:
        if key not in dates or (checks.get(check) or {}).get("reason") == "route":
            continue
        out.append(sentence(target, date.fromisoformat(dates[key]), float(per_week), end, lang))
    return out
