"""Reminder texts, from the catalogue knowledge/i18n/<lang>/messages/reminders.yaml.

`{date}` is the date the reminder is about."""

from __future__ import annotations

from datetime import date

from knowledge import languages
from knowledge.texts import Localized

STOP_HINT = Localized("reminders.stop_hint")
# text keys stored with each scheduled reminder -> catalogue entries
REMINDER_TEXTS = {
    key: Localized(f"reminders.reminder_{key}")
    for key in ("termijn_end_6m", "verlenging_earliest", "duo_letter_2m", "mvv_collect_14d")
}
OFFER_TEXT = Localized("reminders.offer")
YES = Localized("reminders.yes")
NO = Localized("reminders.no")
OPTED_IN_TEXT = Localized("reminders.opted_in")
NOTHING_TO_REMIND_TEXT = Localized("reminders.nothing_to_remind")
DECLINED_TEXT = Localized("reminders.declined")
NOT_FOUND_TEXT = Localized("reminders.not_found")
STOPPED_TEXT = Localized("reminders.stopped")


def lang_of(value: object, default: str = "nl") -> str:
    return languages.supported(value if isinstance(value, str) else None, default)


def format_day(day: date, lang: str) -> str:
    from knowledge.deadlines import format_date

    return format_date(day, lang)


def reminder_text(text_key: str, lang: str, due_date: date) -> str:
    lang = lang_of(lang)
    body = REMINDER_TEXTS[text_key][lang].format(date=format_day(due_date, lang))
    return f"{body}\n\n{STOP_HINT[lang]}"
