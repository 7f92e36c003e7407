"""Switch the answer language when the user asks ("English please", "Türkçe", "العربية")."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import SUPPORTED, current_language
from knowledge import languages

LANGUAGE_PAYLOAD = "language"  # gateway/core/conversation.py: a custom payload with `lang` sets the language


class ActionSwitchLanguage(Action):
    def name(self) -> Text:
        return "action_switch_language"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        choice = next(tracker.get_latest_entity_values("language_choice"), None)
        if choice not in SUPPORTED:
            # a language word the synonyms missed ("Türkçe!"), or the whole message names one
            choice = languages.language_named(str(choice or "")) or languages.language_named(
                tracker.latest_message.get("text") or ""
            )
        if choice not in SUPPORTED:
            # "/taal" or "another language" without a name: keep the language; the reply that
            # follows (utter_language_switched) carries the menu of all languages
            choice = current_language(tracker)
        # tell the channel (the gateway stores it as the conversation's language: the web chat's
        # menu and page, Telegram's and WhatsApp's own texts follow it); nothing is shown
        dispatcher.utter_message(json_message={"wegwijs": {"type": LANGUAGE_PAYLOAD, "lang": choice}})
        # the rule follows with utter_language_switched, rendered in the new language
        return [SlotSet("language", choice)]
