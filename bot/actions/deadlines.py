"""Personal deadlines in the chat: start, ask one question at a time, compute, answer.

Thin: the logic is dialogue.deadline_chat (what to ask, how to read answers, how to explain)
and knowledge.deadlines (the rules). The timeline picture and the .ics are made by the gateway
from the custom payload ``{"wegwijs": {"type": "deadlines", ...}}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.config import get_settings
from actions.language import current_language
from dialogue import deadline_chat
from knowledge import texts
from knowledge.deadlines import InvalidInput, compute
from knowledge.deadlines import today as today_in

# The slots: the chat's fields, from the one field definition (knowledge/deadlines/fields.py);
# bot/domain/deadlines.yml declares the same (tests/bot/test_deadline_actions.py checks it).
FIELDS = deadline_chat.CHAT_FIELDS
GOAL_FROM_TOPIC = {"verlenging": "verlenging", "afschalen": "afschalen", "termijn": "termijn"}
# Messages with these intents that are not an answer to the question leave the form to the
# interruption rules (bot/data/rules/deadlines_interruptions.yml); the form then asks again.
INTERRUPTING_INTENTS = {"faq", "choose_topic", "ask_human", "signal_danger", "delete_my_data", "switch_language"}


def today() -> dt.date:
    return today_in(get_settings().timezone)


def known_values(tracker: Tracker) -> Dict[str, Any]:
    return {field: tracker.get_slot(field) for field in FIELDS}


def last_faq_topic(tracker: Tracker) -> str | None:
    """The FAQ topic answered just before the current message (e.g. under which the user
    pressed "calculate my dates" or "talk to a person")."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    if len(user_events) < 2:
        return None
    parse = user_events[-2].get("parse_data") or {}
    response = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    key = response.get("intent_response_key")
    return key.split("/", 1)[1] if key else None


class ActionStartDeadlines(Action):
    """Reads what the question already says. Complete: answers at once (one action call, no
    form); otherwise the rules start the deadline form, which asks what is missing."""

    def name(self) -> Text:
        return "action_start_deadlines"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        lang = current_language(tracker)
        goal = deadline_chat.detect_goal(text) or GOAL_FROM_TOPIC.get(last_faq_topic(tracker) or "")
        found = deadline_chat.extract_from_message(text, today(), lang, goal)
        values = {field: found.get(field) for field in FIELDS}
        events: List[EventType] = [SlotSet(field, value) for field, value in values.items()]
        missing = deadline_chat.missing_fields(goal, found)
        events += [
            SlotSet("deadline_goal", goal or deadline_chat.DEFAULT_GOAL),
            SlotSet("date_to_confirm", None),
            SlotSet("deadlines_cancelled", None),
            # the rules branch on this: true = answered here, false = the form asks what is missing
            SlotSet("deadlines_ready", not missing),
        ]
        if missing:
            dispatcher.utter_message(response="utter_deadlines_intro")
            return events
        return events + answer_with_deadlines(dispatcher, values, lang)


class ValidateDeadlinesForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_deadlines_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        # all of the goal's fields, filled or not: rasa_sdk validates the filled ones and asks the
        # first empty one (a list without the filled ones would drop the answer just given)
        if tracker.get_slot("deadlines_cancelled"):
            return []
        return deadline_chat.required_fields(tracker.get_slot("deadline_goal"), known_values(tracker))

    def _read(self, field: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != field:
            return {}
        text = tracker.latest_message.get("text") or ""
        lang = current_language(tracker)
        pending = tracker.get_slot("date_to_confirm")
        if pending:
            confirmed = deadline_chat.read_confirmation(text)
            if confirmed is True:
                return {field: pending, "date_to_confirm": None}
            if confirmed is False:
                dispatcher.utter_message(text=deadline_chat.message("retype_date", lang))
                return {field: None, "date_to_confirm": None}
            # anything else: read it as a new answer below
        answer = deadline_chat.read_answer(field, text, today(), lang, known_values(tracker))
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in INTERRUPTING_INTENTS and (answer.error or _number_word_in_a_sentence(field, text, answer)):
            return {}  # not an answer: Rasa rejects the form for this turn and a rule answers instead
        if answer.stop:
            return {"deadlines_cancelled": True, "date_to_confirm": None}
        if answer.error:
            dispatcher.utter_message(text=answer.error)
            return {field: None, "date_to_confirm": None}
        if answer.confirm:
            return {field: None, "date_to_confirm": answer.confirm}
        if answer.note:
            dispatcher.utter_message(text=answer.note)
        return {field: answer.value, "date_to_confirm": None}


def _number_word_in_a_sentence(field: str, text: str, answer: deadline_chat.Answer) -> bool:
    """"ik wil met een mens praten" holds the word "een" (one), but it is not an answer to
    "how many hours?": a number without digits in another intent's sentence is not read as one."""
    return (field in deadline_chat.NUMBER_FIELDS and answer.value not in (None, deadline_chat.UNKNOWN)
            and not any(c.isdigit() for c in text) and len(text.split()) > 2)


def _make_extractor(field: str):
    async def extract(self, dispatcher, tracker, domain):  # noqa: ANN001
        return self._read(field, dispatcher, tracker)

    extract.__name__ = f"extract_{field}"
    return extract


def _make_validator(field: str):
    async def validate(self, value, dispatcher, tracker, domain):  # noqa: ANN001
        return {field: value}  # extract_<field> has read and checked the answer already

    validate.__name__ = f"validate_{field}"
    return validate


for _field in FIELDS:
    setattr(ValidateDeadlinesForm, f"extract_{_field}", _make_extractor(_field))
    # without a validate_<field>, rasa_sdk logs a warning for every slot on every form turn
    setattr(ValidateDeadlinesForm, f"validate_{_field}", _make_validator(_field))


class ActionAskDeadlineField(Action):
    """Asks one form question, or asks to confirm a date written as "vorige maand"."""

    field = ""

    def name(self) -> Text:
        return f"action_ask_{self.field}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        pending = tracker.get_slot("date_to_confirm")
        lang = current_language(tracker)
        if pending:
            from knowledge.deadlines import format_date
            from knowledge.deadlines.labels import language

            lang = language(lang)
            dispatcher.utter_message(
                text=deadline_chat.message("confirm_date", lang, date=format_date(pending, lang)),
                buttons=[
                    {"title": texts.text("deadlines.button.yes", lang), "payload": "ja"},
                    {"title": texts.text("deadlines.button.no", lang), "payload": "nee"},
                ],
            )
        elif deadline_chat.question(self.field, lang):
            dispatcher.utter_message(text=deadline_chat.question(self.field, lang))
        else:
            dispatcher.utter_message(response=f"utter_ask_{self.field}")
        return []


for _field in FIELDS:
    _name = "ActionAsk" + "".join(part.capitalize() for part in _field.split("_"))
    globals()[_name] = type(_name, (ActionAskDeadlineField,), {"field": _field})


def answer_with_deadlines(dispatcher: CollectingDispatcher, values: Dict[str, Any], lang: str) -> List[EventType]:
    """Compute the person's dates from these answers and say them (text, then the timeline payload).

    An answer the deadline engine refuses is explained and its slot emptied, so it is asked again.
    """
    on = today()
    inputs = deadline_chat.engine_inputs(values, on)
    try:
        result = compute(inputs, on)
    except InvalidInput as exc:
        dispatcher.utter_message(text=exc.message(lang))
        return [SlotSet(exc.field, None)] if exc.field in FIELDS else []
    dispatcher.utter_message(text=deadline_chat.explain(result, lang, on, inputs))
    if result.get("dates"):
        dispatcher.utter_message(json_message={"wegwijs": {"type": "deadlines", "input": inputs, "lang": lang}})
    return []


class ActionComputeDeadlines(Action):
    """After the deadline form: the dates from the answers it collected (or "stopped")."""

    def name(self) -> Text:
        return "action_compute_deadlines"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reset = [SlotSet("deadlines_cancelled", None), SlotSet("date_to_confirm", None)]
        if tracker.get_slot("deadlines_cancelled"):
            dispatcher.utter_message(response="utter_deadlines_stopped")
            return reset
        return reset + answer_with_deadlines(dispatcher, known_values(tracker), current_language(tracker))
