"""Reminder texts (B1 Dutch and English). `{date}` is the date the reminder is about."""

from __future__ import annotations

from datetime import date

STOP_HINT = {
    "nl": "Wilt u geen herinneringen meer? Stuur 'stop herinneringen'.",
    "en": "No more reminders? Send 'stop reminders'.",
}

REMINDER_TEXTS = {
    "termijn_end_6m": {
        "nl": "Herinnering van Wegwijs: uw inburgeringstermijn eindigt op {date}. Dat is over 6 maanden. "
        "Kijk of u op schema ligt. Twijfelt u? Neem contact op met uw regievoerder.",
        "en": "Reminder from Wegwijs: your integration period (termijn) ends on {date}. That is in 6 months. "
        "Check whether you are on schedule. In doubt? Contact your regievoerder.",
    },
    "verlenging_earliest": {
        "nl": "Herinnering van Wegwijs: vanaf vandaag ({date}) kunt u bij DUO verlenging van uw termijn "
        "aanvragen, als u meer tijd nodig heeft.",
        "en": "Reminder from Wegwijs: from today ({date}) you can ask DUO to extend your termijn "
        "(verlenging), if you need more time.",
    },
    "duo_letter_2m": {
        "nl": "Herinnering van Wegwijs: uw termijn eindigt op {date}, over 2 maanden. DUO stuurt u rond "
        "deze tijd een brief. Lees die goed en bewaar hem.",
        "en": "Reminder from Wegwijs: your termijn ends on {date}, in 2 months. DUO sends you a letter "
        "around this time. Read it carefully and keep it.",
    },
    "mvv_collect_14d": {
        "nl": "Herinnering van Wegwijs: haal uw mvv uiterlijk {date} op. Dat is over 14 dagen.",
        "en": "Reminder from Wegwijs: collect your mvv no later than {date}. That is in 14 days.",
    },
}

OFFER_TEXT = {
    "nl": "Wilt u een herinnering krijgen voor deze data?",
    "en": "Would you like a reminder for these dates?",
}
YES_NO = {"nl": ("Ja", "Nee"), "en": ("Yes", "No")}
OPTED_IN_TEXT = {
    "nl": "Goed. U krijgt {count} herinnering(en), de eerste op {first}. Stoppen? Stuur 'stop herinneringen'.",
    "en": "Done. You will get {count} reminder(s), the first on {first}. To stop, send 'stop reminders'.",
}
NOTHING_TO_REMIND_TEXT = {
    "nl": "Er zijn geen data meer in de toekomst om u aan te herinneren.",
    "en": "There are no dates left in the future to remind you of.",
}
DECLINED_TEXT = {
    "nl": "Goed, u krijgt geen herinneringen.",
    "en": "All right, you will not get reminders.",
}
NOT_FOUND_TEXT = {
    "nl": "Sorry, deze knop werkt niet meer. Vraag opnieuw naar uw termijnen.",
    "en": "Sorry, this button no longer works. Please ask for your deadlines again.",
}
STOPPED_TEXT = {
    "nl": "U krijgt geen herinneringen meer van Wegwijs. U kunt mij nog steeds vragen stellen.",
    "en": "You will not get reminders from Wegwijs any more. You can still ask me questions.",
}


def lang_of(value: object, default: str = "nl") -> str:
    return value if value in ("nl", "en") else default  # type: ignore[return-value]


def format_day(day: date, lang: str) -> str:
    from knowledge.deadlines import format_date

    return format_date(day, lang)


def reminder_text(text_key: str, lang: str, due_date: date) -> str:
    lang = lang_of(lang)
    body = REMINDER_TEXTS[text_key][lang].format(date=format_day(due_date, lang))
    return f"{body}\n\n{STOP_HINT[lang]}"
