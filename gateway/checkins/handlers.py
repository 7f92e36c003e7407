"""Where check-ins meet the conversation: the offer after a deadline answer, and the commands.

- `offering_checkins(handler, checkins)` wraps the "deadlines" payload handler: when the termijn
  has not ended and no check-ins run yet, the answer ends with its own message "Zal ik u elke 12
  weken vragen hoe het leren gaat?" and the buttons "Ja, vraag me elke 12 weken hoe het gaat" / "Nee".
- Every button's payload is a gateway command, `/wegwijs_checkins{"on":true,"m":123}`,
  `{"c":7,"q":"hours","v":"26-50"}`, `{"share":true}`, `{"stop":true}`; `CheckinCommands` (an
  interceptor) answers them, the words "stop check-ins" and "regievoerder uit" (knowledge/chatwords.yml,
  every language; "stop delen" belongs to the referent's sharing), and a typed number right after the hours or exams question, so the engine
  never sees them.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from gateway.checkins import texts
from gateway.checkins.service import COMMAND, CheckinService, command, typed_number
from gateway.core.conversation import InboundMessage, PayloadContext, PayloadHandler
from gateway.core.schemas import Button, OutgoingMessage
from knowledge import chatwords

log = logging.getLogger(__name__)


def parse_command(text: str) -> dict[str, Any] | None:
    """The JSON of a `/wegwijs_checkins{...}` command ({} when malformed), or None for other text."""
    text = text.strip()
    if not text.startswith(COMMAND):
        return None
    try:
        data = json.loads(text[len(COMMAND):] or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def offering_checkins(handler: PayloadHandler, checkins: CheckinService) -> PayloadHandler:
    """Wrap the deadlines payload handler so its answer offers check-ins when they make sense."""

    async def wrapped(ctx: PayloadContext, data: dict[str, Any]) -> list[OutgoingMessage]:
        messages = await handler(ctx, data)
        deadlines_message = next(
            (m for m in messages if m.id is not None and ((m.data or {}).get("wegwijs") or {}).get("type") == "deadlines"),
            None,
        )
        if deadlines_message is None or deadlines_message.id is None:
            return messages
        deadline_input = ((deadlines_message.data or {}).get("wegwijs") or {}).get("input") or {}
        try:
            if not checkins.worth_offering(ctx.conversation.id, deadline_input):
                return messages
        except Exception as exc:  # noqa: BLE001 - no offer when the input cannot be computed
            log.info("no check-in offer: %s", type(exc).__name__)
            return messages
        lang = texts.lang_of(data.get("lang"), ctx.conversation.language)
        weeks = checkins.interval_weeks(ctx.conversation.id)
        offer = OutgoingMessage(
            text=texts.OFFER[lang].format(weeks=weeks),
            buttons=[
                Button(title=texts.t("offer_yes", lang, weeks=weeks), payload=command(on=True, m=deadlines_message.id)),
                Button(title=texts.t("offer_no", lang), payload=command(on=False)),
            ],
        )
        return [*messages, offer]

    return wrapped


class CheckinCommands:
    """Interceptor for the check-in buttons, the stop and sharing words, and typed answers."""

    def __init__(self, checkins: CheckinService) -> None:
        self.checkins = checkins

    async def __call__(self, inbound: InboundMessage) -> list[OutgoingMessage] | None:
        conversation_id = inbound.conversation.id
        lang = texts.lang_of(inbound.conversation.language)
        found = parse_command(inbound.text)
        if found is not None:
            return self._answer(conversation_id, found, lang)
        if chatwords.is_phrase("stop_checkins", inbound.text):
            return self._stop(conversation_id, lang)
        if chatwords.is_phrase("stop_regievoerder", inbound.text):
            return self._share(conversation_id, False, lang)
        checkin = self.checkins.awaits_typed_answer(conversation_id)
        if checkin is not None:
            number = typed_number(inbound.text, lang)
            if number is not None:
                return self.checkins.answer(conversation_id, checkin.id, checkin.step, number, lang)
        return None

    def _answer(self, conversation_id: str, found: dict[str, Any], lang: str) -> list[OutgoingMessage]:
        if found.get("stop") is True:
            return self._stop(conversation_id, lang)
        if isinstance(found.get("share"), bool):
            return self._share(conversation_id, found["share"], lang)
        if "on" in found:
            return self._opt_in(conversation_id, found, lang)
        checkin_id, step = found.get("c"), found.get("q")
        if isinstance(checkin_id, int) and not isinstance(checkin_id, bool) and isinstance(step, str):
            return self.checkins.answer(conversation_id, checkin_id, step, found.get("v"), lang)
        return [OutgoingMessage(text=texts.t("not_found", lang), sender="system")]

    def _opt_in(self, conversation_id: str, found: dict[str, Any], lang: str) -> list[OutgoingMessage]:
        message_id = found.get("m")
        if found.get("on") is not True:
            return [OutgoingMessage(text=texts.t("declined", lang), sender="system")]
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            return [OutgoingMessage(text=texts.t("not_found", lang), sender="system")]
        plan = self.checkins.opt_in(conversation_id, message_id, lang)
        if plan is None:
            return [OutgoingMessage(text=texts.t("not_found", lang), sender="system")]
        first: date = plan.next_at.astimezone(self.checkins.zone).date()
        return [OutgoingMessage(text=texts.t("opted_in", lang, date=texts.format_day(first, lang)), sender="system")]

    def _stop(self, conversation_id: str, lang: str) -> list[OutgoingMessage]:
        key = "stopped" if self.checkins.stop(conversation_id) else "nothing_to_stop"
        return [OutgoingMessage(text=texts.t(key, lang), sender="system")]

    def _share(self, conversation_id: str, given: bool, lang: str) -> list[OutgoingMessage]:
        outcome = self.checkins.set_consent(conversation_id, given)
        key = {
            "given": "consent_given", "declined": "consent_declined", "revoked": "consent_revoked",
        }.get(outcome, "consent_not_given")
        return [OutgoingMessage(text=texts.t(key, lang), sender="system")]
