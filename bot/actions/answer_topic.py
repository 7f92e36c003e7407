"""Answer the FAQ topic a user picked with a button (``/choose_topic{"faq_topic": "..."}``)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge import loader


class ActionAnswerTopic(Action):
    def name(self) -> Text:
        return "action_answer_topic"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        topic = next(tracker.get_latest_entity_values("faq_topic"), None) or tracker.get_slot("faq_topic")
        if topic in loader.topic_ids():
            dispatcher.utter_message(response=f"utter_faq/{topic}")
        else:
            dispatcher.utter_message(response="utter_default")
        return [SlotSet("faq_topic", None)]
