"""NLU component: a rule question that carries the person's own date becomes ``ask_deadlines``.

"Kan ik verlenging krijgen?" is the FAQ topic verlenging; "mijn PIP is van 12 mei 2024, ik heb 330
uur les, kan ik verlenging krijgen?" wants that person's dates computed. Only the FAQ topics that
explain a deadline rule in general are redirected (dialogue.deadline_chat.RULE_TOPICS).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from addons.intent_override import override_intent
from dialogue.deadline_chat import RULE_TOPICS, wants_own_dates
from knowledge.deadlines import today as amsterdam_today

INTENT_NAME = "ask_deadlines"


def _faq_topic(message: Message) -> str | None:
    selector = message.get("response_selector") or {}
    key = ((selector.get("faq") or {}).get("response") or {}).get("intent_response_key")
    return key.split("/", 1)[1] if key else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class PersonalDatesRouter(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "PersonalDatesRouter":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            rule_question = intent == "faq" and _faq_topic(message) in RULE_TOPICS
            # an own date also settles an ask_deadlines guess that is close to a FAQ guess
            if text.startswith("/") or not (rule_question or intent == INTENT_NAME):
                continue
            if not wants_own_dates(text, amsterdam_today()):
                continue
            override_intent(message, INTENT_NAME)
        return messages
