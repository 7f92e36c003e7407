"""Handoff to a regievoerder: offer, consent, then a ticket through the gateway.

Nothing is shared before an explicit yes. On yes the action sends the gateway a custom payload
``{"wegwijs": {"type": "handoff", ...}}`` (the gateway creates the ticket with the transcript)
and pauses the conversation, so the tracker shows that a person owns it. The gateway resumes
the conversation when the regievoerder closes the ticket.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.deadlines import FIELDS, last_faq_topic
from actions.language import current_language, current_municipality
from knowledge import loader

OFFER_ACTIONS = ("action_offer_handoff", "action_handle_fallback")


def _offer_is_pending(tracker: Tracker, offer_actions: tuple[str, ...]) -> bool:
    """True when the message just received answers the offer made right before it."""
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return False
            seen_user = True
        elif kind == "action" and seen_user and event.get("name") not in ("action_listen", None):
            return event.get("name") in offer_actions
    return False


def handoff_reason(tracker: Tracker) -> str:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "signal_danger":
        return "danger"
    if intent == "nlu_fallback":
        return "fallback"
    topic = last_faq_topic(tracker)
    if topic:
        faqs = loader.load_faqs()
        if topic in faqs and faqs[topic].escalate:
            return f"topic:{topic}"
    return "user_request"


class ActionOfferHandoff(Action):
    def name(self) -> Text:
        return "action_offer_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff_consent")
        return [SlotSet("handoff_reason", handoff_reason(tracker)), SlotSet("consent_requested", True)]


class ActionHandleFallback(Action):
    """First misunderstanding: ask to rephrase. Second in a row: offer a person."""

    def name(self) -> Text:
        return "action_handle_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if self._previous_turn_was_fallback(tracker):
            dispatcher.utter_message(response="utter_fallback_offer_human")
            dispatcher.utter_message(response="utter_handoff_consent")
            return [SlotSet("handoff_reason", "fallback"), SlotSet("consent_requested", True)]
        dispatcher.utter_message(response="utter_default")
        return [SlotSet("consent_requested", False)]

    @staticmethod
    def _previous_turn_was_fallback(tracker: Tracker) -> bool:
        user_events = [e for e in tracker.events if e.get("event") == "user"]
        if len(user_events) < 2:
            return False
        previous = (user_events[-2].get("parse_data") or {}).get("intent") or {}
        return previous.get("name") == "nlu_fallback"


def conversation_summary(tracker: Tracker, reason: str, lang: str) -> str:
    """A few words for the consultant; the full transcript travels with the ticket."""
    parts = [f"Reden: {reason}", f"taal: {lang}"]
    topic = last_faq_topic(tracker)
    if topic:
        parts.append(f"laatste onderwerp: {topic}")
    given = [f"{field}={tracker.get_slot(field)}" for field in FIELDS if tracker.get_slot(field) not in (None, "")]
    if given:
        parts.append("gegeven: " + ", ".join(given))
    return "; ".join(parts)


class ActionRequestHandoff(Action):
    def name(self) -> Text:
        return "action_request_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not _offer_is_pending(tracker, OFFER_ACTIONS):
            dispatcher.utter_message(response="utter_affirm_without_question")
            return [SlotSet("consent_requested", False)]
        lang = current_language(tracker)
        reason = tracker.get_slot("handoff_reason") or "user_request"
        consent_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        slots = {f: tracker.get_slot(f) for f in FIELDS if tracker.get_slot(f) not in (None, "")}
        dispatcher.utter_message(
            json_message={
                "wegwijs": {
                    "type": "handoff",
                    "reason": reason,
                    "consent_at": consent_at,
                    "lang": lang,
                    "municipality": current_municipality(tracker).id,
                    "slots": slots,
                    "summary": conversation_summary(tracker, reason, lang),
                }
            }
        )
        return [SlotSet("consent_requested", False), ConversationPaused()]


class ActionDeclineHandoff(Action):
    def name(self) -> Text:
        return "action_decline_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _offer_is_pending(tracker, OFFER_ACTIONS):
            dispatcher.utter_message(response="utter_handoff_declined")
        else:
            dispatcher.utter_message(response="utter_deny_without_question")
        return [SlotSet("consent_requested", False), SlotSet("handoff_reason", None)]


class ActionConfirmDelete(Action):
    def name(self) -> Text:
        return "action_confirm_delete"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_confirm_delete")
        return [SlotSet("delete_requested", True)]


class ActionDeleteMyData(Action):
    """On yes: ask the gateway to delete this user's data (tracker, messages, tickets, reminders)."""

    def name(self) -> Text:
        return "action_delete_my_data"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent: Optional[Dict[str, Any]] = tracker.latest_message.get("intent")
        confirmed = (intent or {}).get("name") == "affirm" and _offer_is_pending(tracker, ("action_confirm_delete",))
        if not confirmed:
            dispatcher.utter_message(response="utter_delete_kept")
            return [SlotSet("delete_requested", False)]
        lang = current_language(tracker)
        dispatcher.utter_message(json_message={"wegwijs": {"type": "delete_my_data", "lang": lang}})
        return [SlotSet(field, None) for field in FIELDS] + [SlotSet("delete_requested", False)]
