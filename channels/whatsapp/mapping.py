"""Between the WhatsApp Cloud API and the conversation service: webhook parsing, message bodies.

Limits (Cloud API docs, "Interactive messages"): reply buttons: at most 3, title ≤ 20
characters, id ≤ 256; list messages: at most 10 rows, row title ≤ 24, row id ≤ 200,
description ≤ 72, menu button label ≤ 20; interactive body ≤ 1024; text body ≤ 4096.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from gateway.core.schemas import Button
from knowledge.texts import Localized

CHANNEL = "whatsapp"
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
CAPTION_LIMIT = 1024
MAX_REPLY_BUTTONS = 3
REPLY_TITLE_LIMIT = 20
REPLY_ID_LIMIT = 256
MAX_LIST_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_ID_LIMIT = 200
ROW_DESCRIPTION_LIMIT = 72
SHORT_KEY_PREFIX = "wgw:"

LIST_BUTTON_LABEL = Localized("gateway.list_button_label")
CHOOSE_TEXT = Localized("gateway.choose_option")
UNSUPPORTED_TEXT = Localized("gateway.unsupported_media")
EXPIRED_BUTTON_TEXT = Localized("gateway.expired_button")


@dataclass(frozen=True)
class Inbound:
    """One user message from a webhook. `text` is None for types we do not read (audio, image...)."""

    wa_id: str
    message_id: str
    kind: str
    text: str | None
    display_text: str | None = None
    is_button: bool = False
    phone_number_id: str = ""  # the number it arrived on (decides the municipality; replies go from it)


def parse_webhook(body: dict[str, Any], phone_number_ids: str | Collection[str]) -> list[Inbound]:
    """User messages addressed to one of our numbers; status updates and other fields are skipped."""
    ours = {phone_number_ids} if isinstance(phone_number_ids, str) else set(phone_number_ids)
    inbound: list[Inbound] = []
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or []:
            if change.get("field") != "messages":
                continue
            value = change.get("value") or {}
            number = str((value.get("metadata") or {}).get("phone_number_id", ""))
            if number not in ours:
                continue
            for message in value.get("messages") or []:
                parsed = _parse_message(message)
                if parsed is not None:
                    inbound.append(dataclasses.replace(parsed, phone_number_id=number))
    return inbound


def _parse_message(message: dict[str, Any]) -> Inbound | None:
    wa_id, message_id, kind = message.get("from"), message.get("id"), message.get("type")
    if not (isinstance(wa_id, str) and isinstance(message_id, str) and isinstance(kind, str)):
        return None
    if kind == "text":
        return Inbound(wa_id, message_id, kind, str((message.get("text") or {}).get("body", "")))
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get(interactive.get("type", "")) or {}
        if interactive.get("type") in ("button_reply", "list_reply") and reply.get("id"):
            return Inbound(
                wa_id, message_id, kind, str(reply["id"]), str(reply.get("title") or "") or None, True
            )
        return Inbound(wa_id, message_id, kind, None)
    if kind == "button":  # quick-reply button of a template message
        button = message.get("button") or {}
        text = button.get("text") or button.get("payload")
        return Inbound(wa_id, message_id, kind, str(text) if text else None)
    return Inbound(wa_id, message_id, kind, None)


# -- outgoing ------------------------------------------------------------------------------
def short_key(payload: str) -> str:
    return SHORT_KEY_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def reply_id_for(payload: str, limit: int) -> str:
    if 0 < len(payload) <= limit and not payload.startswith(SHORT_KEY_PREFIX):
        return payload
    return short_key(payload)


def resolve_reply_id(reply_id: str, known_buttons: Iterable[Button]) -> str | None:
    if not reply_id.startswith(SHORT_KEY_PREFIX):
        return reply_id
    for button in known_buttons:
        if short_key(button.payload) == reply_id:
            return button.payload
    return None


def _envelope(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }


def text_body(to: str, text: str) -> dict[str, Any]:
    return _envelope(to, "text", {"preview_url": "http" in text, "body": text[:TEXT_LIMIT]})


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def uses_reply_buttons(buttons: list[Button]) -> bool:
    return len(buttons) <= MAX_REPLY_BUTTONS and all(0 < len(b.title) <= REPLY_TITLE_LIMIT for b in buttons)


def interactive_body(to: str, text: str, buttons: list[Button], language: str = "nl") -> dict[str, Any]:
    """Reply buttons when they fit (≤ 3, titles ≤ 20), else a list message (≤ 10 rows)."""
    body = {"text": text[:INTERACTIVE_BODY_LIMIT]}
    action: dict[str, Any]
    if uses_reply_buttons(buttons):
        action = {
            "buttons": [
                {"type": "reply", "reply": {"id": reply_id_for(b.payload, REPLY_ID_LIMIT), "title": b.title}}
                for b in buttons
            ]
        }
        return _envelope(to, "interactive", {"type": "button", "body": body, "action": action})
    rows = []
    for button in buttons[:MAX_LIST_ROWS]:
        row = {
            "id": reply_id_for(button.payload, ROW_ID_LIMIT),
            "title": _truncate(button.title or button.payload, ROW_TITLE_LIMIT),
        }
        if len(button.title) > ROW_TITLE_LIMIT:
            row["description"] = _truncate(button.title, ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    action = {
        "button": LIST_BUTTON_LABEL.get(language, LIST_BUTTON_LABEL["nl"]),
        "sections": [{"rows": rows}],
    }
    return _envelope(to, "interactive", {"type": "list", "body": body, "action": action})


def media_body(
    to: str,
    kind: str,
    *,
    media_id: str | None = None,
    link: str | None = None,
    caption: str | None = None,
    filename: str | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {"id": media_id} if media_id else {"link": link}
    if caption:
        content["caption"] = caption[:CAPTION_LIMIT]
    if kind == "document" and filename:
        content["filename"] = filename
    return _envelope(to, kind, content)


def template_body(to: str, name: str, language: str) -> dict[str, Any]:
    return _envelope(to, "template", {"name": name, "language": {"code": language}})


def upload_media_type(media_type: str, filename: str) -> str:
    """WhatsApp documents must be one of a few types; a calendar file travels as text/plain."""
    if media_type in ("image/png", "image/jpeg", "application/pdf", "text/plain"):
        return media_type
    if filename.endswith(".ics") or media_type.startswith("text/"):
        return "text/plain"
    return media_type
