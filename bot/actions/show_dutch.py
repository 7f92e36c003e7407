"""Show the Dutch (legal) text of an answer whose translation a translator has not yet checked.

Offered as a button under such answers: ``/show_dutch{"faq_topic": "termijn"}``.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import current_language, current_municipality
from knowledge import build, languages, loader, municipal, texts


@functools.lru_cache(maxsize=1)
def _faqs() -> Dict[str, loader.Faq]:
    return loader.load_faqs()


class ActionShowDutch(Action):
    def name(self) -> Text:
        return "action_show_dutch"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        topic = next(tracker.get_latest_entity_values("faq_topic"), None) or tracker.get_slot("faq_topic")
        faqs = _faqs()
        if topic not in faqs:
            dispatcher.utter_message(response="utter_default")
            return [SlotSet("faq_topic", None)]
        intro = texts.text("answers.dutch_text_intro", current_language(tracker))
        municipality = current_municipality(tracker)
        # the Dutch text as this conversation's municipality sends it (its own answer, if any)
        dutch = municipal.fill(build.answer_text(faqs[topic], languages.SOURCE, municipality), municipality.id, languages.SOURCE)
        dispatcher.utter_message(text=f"{intro}\n\n{dutch}")
        return [SlotSet("faq_topic", None)]
