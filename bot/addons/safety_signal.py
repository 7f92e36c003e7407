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
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from addons.intent_override import override_intent
from dialogue.safety import is_danger_signal

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
            override_intent(message, INTENT_NAME)
        return messages
