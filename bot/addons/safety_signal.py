"""NLU component: a message that signals danger at home gets the intent ``signal_danger``.

Patterns live in knowledge/dialogue/safety.yaml. This runs after the classifiers and before
the FallbackClassifier, so a clear signal is never lost to a low-confidence fallback.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.safety import is_danger_signal

INTENT_NAME = "signal_danger"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetySignalDetector(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetySignalDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/") or not is_danger_signal(text):
                continue
            intent = {"name": INTENT_NAME, "confidence": 1.0}
            # the classifiers' guesses stay in the ranking, at half their confidence, so the
            # FallbackClassifier does not see two equally likely intents
            others = [{**r, "confidence": r.get("confidence", 0.0) * 0.5}
                      for r in message.get(INTENT_RANKING_KEY, []) if r.get("name") != INTENT_NAME]
            ranking = [intent] + others
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
