"""Check-in texts, from the catalogue knowledge/i18n/<lang>/messages/checkins.yaml."""

from __future__ import annotations

from datetime import date

from knowledge import languages
from knowledge.texts import Localized, text


def t(key: str, lang: str, /, **params: object) -> str:
    """`checkins.<key>` in `lang` (Dutch when missing), filled with `params`."""
    return text(f"checkins.{key}", lang_of(lang), **params)


OFFER = Localized("checkins.offer")
STOP_BUTTON = Localized("checkins.stop_button")

# The answer buttons: (value, catalogue key). Hours ranges carry the estimate used to recompute.
HOURS_CHOICES = {
    "0": ("hours_0", 0.0),
    "1-25": ("hours_1_25", 13.0),
    "26-50": ("hours_26_50", 38.0),
    "51-100": ("hours_51_100", 75.0),
    "101-150": ("hours_101_150", 125.0),
    "151+": ("hours_151", 175.0),
}
EXAMS_CHOICES = {"0": ("exams_0", 0), "1": ("exams_1", 1), "2": ("exams_2", 2), "3+": ("exams_3", 3)}
OBSTACLE_KEYS = {
    "money": "obstacle_money",
    "work_children": "obstacle_work_children",
    "health": "obstacle_health",
    "school": "obstacle_school",
    "other": "obstacle_other",
    "none": "obstacle_none",
}


def lang_of(value: object, default: str = "nl") -> str:
    return languages.supported(value if isinstance(value, str) else None, default)


def format_day(day: date, lang: str) -> str:
    from knowledge.deadlines import format_date

    return format_date(day, lang_of(lang))
