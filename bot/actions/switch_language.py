"""Switch the answer language when the user asks ("English please", "Nederlands")."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import SUPPORTED, current_language


class ActionSwitchLanguage(Action):
    def name(self) -> Text:
        return "action_switch_language"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        choice = next(tracker.get_latest_entity_values("language_choice"), None)
        if choice not in SUPPORTED:
            # "other language" without a name: toggle between the two we speak
            choice = "en" if current_language(tracker) == "nl" else "nl"
        # the rule follows with utter_language_switched, rendered in the new language
        return [SlotSet("language", choice)]
