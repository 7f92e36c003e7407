"""Between Telegram and the conversation service: commands, texts, inline keyboards, callback data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from gateway.core.schemas import Button
from knowledge import languages, texts
from knowledge.texts import Localized

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes, Bot API InlineKeyboardButton.callback_data
SHORT_KEY_PREFIX = "wgw:"

# Telegram command -> the text handed to the conversation service. /stop is answered by the
# reminders interceptor (gateway/reminders) before the engine; the others are engine intents.
SERVICE_COMMANDS = {
    "taal": "/switch_language",
    "mens": "/ask_human",
    "stop": "/stop",
    "verwijder": "/delete_my_data",
}

# The Telegram menu, per language: set with setMyCommands(language_code=...) at start-up.
COMMANDS = ("start", "taal", "mens", "stop", "verwijder")


def command_descriptions(lang: str) -> dict[str, str]:
    """The Telegram command menu in one language (setMyCommands with language_code)."""
    return {command: texts.text(f"gateway.telegram_command_{command}", lang) for command in COMMANDS}

START_TEXT = Localized("gateway.telegram_start")
UNSUPPORTED_TEXT = Localized("gateway.unsupported_media")
EXPIRED_BUTTON_TEXT = Localized("gateway.expired_button")
CHOOSE_TEXT = Localized("gateway.choose_option")


def language_of(language_code: str | None) -> str:
    """Telegram's user language (IETF tag) to one Wegwijs speaks ("pt-br" -> pt), else Dutch."""
    return languages.supported(language_code)


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
