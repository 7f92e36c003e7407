"""Between Telegram and the conversation service: commands, texts, inline keyboards, callback data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from channels.core.schemas import Button

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes, Bot API InlineKeyboardButton.callback_data
SHORT_KEY_PREFIX = "wgw:"

# Telegram command -> the text handed to the conversation service. /stop is answered by the
# reminders interceptor (channels/reminders) before the engine; the others are engine intents.
SERVICE_COMMANDS = {
    "taal": "/switch_language",
    "mens": "/ask_human",
    "stop": "/stop",
    "verwijder": "/delete_my_data",
}

# Shown in the Telegram menu (setMyCommands is left to BotFather; see the README).
COMMAND_DESCRIPTIONS = {
    "start": "Wat kan Wegwijs? / What can Wegwijs do?",
    "taal": "Nederlands / English",
    "mens": "Praat met een regievoerder / Talk to a person",
    "stop": "Geen herinneringen meer / Stop reminders",
    "verwijder": "Verwijder mijn gegevens / Delete my data",
}

START_TEXT = {
    "nl": (
        "Hallo! Ik ben Wegwijs, de digitale assistent van uw gemeente voor de inburgering.\n\n"
        "Ik kan:\n"
        "• vragen over inburgering beantwoorden, met een link naar de bron;\n"
        "• uw termijnen uitrekenen en als agenda-bestand sturen;\n"
        "• u doorverbinden met een regievoerder (/mens).\n\n"
        "Stel uw vraag in gewone woorden. /taal: English. /stop: geen herinneringen meer.\n\n"
        "Privacy: de gemeente bewaart dit gesprek om u te helpen. Stuur geen BSN of medische gegevens. "
        "Met /verwijder wist u uw gegevens."
    ),
    "en": (
        "Hello! I am Wegwijs, your municipality's digital assistant for civic integration (inburgering).\n\n"
        "I can:\n"
        "• answer questions about inburgering, with a link to the source;\n"
        "• work out your deadlines and send them as a calendar file;\n"
        "• put you in touch with a regievoerder (/mens).\n\n"
        "Ask your question in your own words. /taal: Nederlands. /stop: no more reminders.\n\n"
        "Privacy: the municipality keeps this conversation to help you. Do not send your BSN or medical "
        "details. Use /verwijder to delete your data."
    ),
}
UNSUPPORTED_TEXT = {
    "nl": "Sorry, ik kan alleen tekst lezen. Typ uw vraag alstublieft.",
    "en": "Sorry, I can only read text. Please type your question.",
}
EXPIRED_BUTTON_TEXT = {
    "nl": "Deze knop werkt niet meer. Typ uw vraag alstublieft.",
    "en": "This button no longer works. Please type your question.",
}
CHOOSE_TEXT = {"nl": "Kies een optie:", "en": "Choose an option:"}


def language_of(language_code: str | None) -> str:
    """Telegram's user language (IETF tag) to ours: English for "en*", Dutch otherwise."""
    return "en" if (language_code or "").lower().startswith("en") else "nl"


def short_key(payload: str) -> str:
    return SHORT_KEY_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def callback_data_for(payload: str) -> str:
    """The payload itself when it fits in 64 bytes, else a short key resolved from stored buttons."""
    if 0 < len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(SHORT_KEY_PREFIX):
        return payload
    return short_key(payload)


def resolve_callback_data(data: str, known_buttons: Iterable[Button]) -> str | None:
    """The payload behind callback data; None when a short key matches no stored button."""
    if not data.startswith(SHORT_KEY_PREFIX):
        return data
    for button in known_buttons:
        if short_key(button.payload) == data:
            return button.payload
    return None


def inline_keyboard(buttons: list[Button]) -> InlineKeyboardMarkup | None:
    """One button per row (titles are often long questions)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text=b.title[:200] or b.payload[:200], callback_data=callback_data_for(b.payload)
                )
            ]
            for b in buttons
        ]
    )


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split a long text on paragraph or line breaks so every part fits Telegram's limit."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
