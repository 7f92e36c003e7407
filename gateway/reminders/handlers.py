"""Where reminders meet the conversation: the offer after a deadline answer, and the commands.

- `offering_reminders(handler)` wraps the "deadlines" payload handler: when the answer has dates
  in the future, the calendar-file message also asks "Wilt u een herinnering krijgen voor deze
  data?" with Ja/Nee buttons (on the same message, so channels still send one photo and one file).
- The buttons' payloads are gateway commands, `/wegwijs_reminders{"on": true, "deadlines_message_id": 123}`;
  `ReminderCommands` (an interceptor placed before every other) answers them, and "stop
  herinneringen" / "stop reminders" / "/stop", so the engine never sees them.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from zoneinfo import ZoneInfo

from gateway.core.conversation import InboundMessage, PayloadContext, PayloadHandler
from gateway.core.schemas import Button, OutgoingMessage
from gateway.reminders.service import ReminderService
from gateway.reminders.texts import (
    DECLINED_TEXT,
    NO,
    NOT_FOUND_TEXT,
    NOTHING_TO_REMIND_TEXT,
    OFFER_TEXT,
    OPTED_IN_TEXT,
    STOPPED_TEXT,
    YES,
    format_day,
    lang_of,
)
from knowledge import chatwords

log = logging.getLogger(__name__)

COMMAND = "/wegwijs_reminders"
STOP_TEXTS = frozenset(
    {"stop herinneringen", "stop herinnering", "stop reminders", "stop reminder", "/stop", "stop de herinneringen"}
)
_STOP_COMMAND = re.compile(r"/stop(@\w+)?")


def command_payload(on: bool, deadlines_message_id: int) -> str:
    return COMMAND + json.dumps({"on": on, "deadlines_message_id": deadlines_message_id}, separators=(", ", ": "))


def parse_command(text: str) -> dict[str, Any] | None:
    """The JSON of a `/wegwijs_reminders{...}` command ({} when malformed), or None for other text."""
    text = text.strip()
    if not text.startswith(COMMAND):
        return None
    try:
        data = json.loads(text[len(COMMAND) :] or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def is_stop(text: str) -> bool:
    normal = " ".join(text.lower().strip().rstrip(".!").split())
    return normal in STOP_TEXTS or bool(_STOP_COMMAND.fullmatch(normal)) or chatwords.is_stop_reminders(text)


def offering_reminders(handler: PayloadHandler, reminders: ReminderService) -> PayloadHandler:
    """Wrap the deadlines payload handler so its answer offers reminders when there is something to remind."""

    async def wrapped(ctx: PayloadContext, data: dict[str, Any]) -> list[OutgoingMessage]:
        messages = await handler(ctx, data)
        deadlines_message = next(
            (m for m in messages if m.id is not None and ((m.data or {}).get("wegwijs") or {}).get("type") == "deadlines"),
            None,
        )
        if deadlines_message is None or deadlines_message.id is None:
            return messages
        try:
            planned = reminders.plan_for_input((deadlines_message.data or {})["wegwijs"].get("input") or {})
        except Exception as exc:  # noqa: BLE001 - no offer when the input cannot be planned
            log.info("no reminder offer: %s", type(exc).__name__)
            return messages
        if not planned:
            return messages
        lang = lang_of(data.get("lang"), ctx.conversation.language)
        yes, no = YES[lang], NO[lang]
        buttons = [
            Button(title=yes, payload=command_payload(True, deadlines_message.id)),
            Button(title=no, payload=command_payload(False, deadlines_message.id)),
        ]
        for index in range(len(messages) - 1, -1, -1):
            candidate = messages[index]
            if candidate.id is None and candidate.document_url and not candidate.buttons and not candidate.text:
                messages[index] = candidate.model_copy(update={"text": OFFER_TEXT[lang], "buttons": buttons})
                return messages
        return [*messages, OutgoingMessage(text=OFFER_TEXT[lang], buttons=buttons)]

    return wrapped


class ReminderCommands:
    """Interceptor for the reminder buttons and the stop commands."""

    def __init__(self, reminders: ReminderService) -> None:
        self.reminders = reminders

    async def __call__(self, inbound: InboundMessage) -> list[OutgoingMessage] | None:
        lang = inbound.conversation.language
        command = parse_command(inbound.text)
        if command is not None:
            return self._answer(inbound, command, lang_of(command.get("lang"), lang))
        if is_stop(inbound.text):
            self.reminders.stop(inbound.conversation.id)
            return [OutgoingMessage(text=STOPPED_TEXT[lang_of(lang)], sender="system")]
        return None

    def _answer(self, inbound: InboundMessage, command: dict[str, Any], lang: str) -> list[OutgoingMessage]:
        message_id = command.get("deadlines_message_id")
        if command.get("on") is not True:
            return [OutgoingMessage(text=DECLINED_TEXT[lang], sender="system")]
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            return [OutgoingMessage(text=NOT_FOUND_TEXT[lang], sender="system")]
        created = self.reminders.opt_in(inbound.conversation.id, message_id, lang)
        if created is None:
            return [OutgoingMessage(text=NOT_FOUND_TEXT[lang], sender="system")]
        scheduled = self.reminders.scheduled(inbound.conversation.id)
        if not scheduled:
            return [OutgoingMessage(text=NOTHING_TO_REMIND_TEXT[lang], sender="system")]
        first = min(r.send_at for r in scheduled)
        first_day = first.astimezone(ZoneInfo(self.reminders.settings.timezone)).date()
        text = OPTED_IN_TEXT[lang].format(count=len(scheduled), first=format_day(first_day, lang))
        return [OutgoingMessage(text=text, sender="system")]
