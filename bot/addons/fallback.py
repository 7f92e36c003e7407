"""NLU component: Rasa's FallbackClassifier with a confidence threshold per predicted intent.

Some intents cost more when wrongly guessed than others: a wrong "yes" hands a conversation over
or deletes data. ``intent_thresholds`` sets a different threshold (higher or lower) for the
intents it names; every other intent uses ``threshold``. The ambiguity check and the output (``nlu_fallback`` at
the top of the ranking with the global ``threshold`` as its confidence) are Rasa's own.
"""

from __future__ import annotations

from typing import Any, Dict, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import THRESHOLD_KEY, FallbackClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

INTENT_THRESHOLDS_KEY = "intent_thresholds"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentAwareFallbackClassifier(FallbackClassifier):
    """Falls back when the top intent's confidence is below that intent's own threshold."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**FallbackClassifier.get_default_config(), INTENT_THRESHOLDS_KEY: {}}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        thresholds = config.get(INTENT_THRESHOLDS_KEY) or {}
        if not isinstance(thresholds, dict):
            raise InvalidConfigException(f"'{INTENT_THRESHOLDS_KEY}' must map intent names to thresholds.")
        for name, value in {THRESHOLD_KEY: config[THRESHOLD_KEY], **thresholds}.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise InvalidConfigException(f"The fallback threshold for '{name}' must be a number from 0 to 1.")
        self.intent_thresholds: Dict[Text, float] = {str(k): float(v) for k, v in thresholds.items()}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "IntentAwareFallbackClassifier":
        return cls(config)

    def threshold_for(self, intent_name: Text | None) -> float:
        """The confidence the intent needs to be kept."""
        return self.intent_thresholds.get(intent_name or "", self.component_config[THRESHOLD_KEY])

    def _nlu_confidence_below_threshold(self, message: Message) -> Tuple[bool, float]:
        intent = message.data[INTENT]
        nlu_confidence = intent.get(PREDICTED_CONFIDENCE_KEY)
        return nlu_confidence < self.threshold_for(intent.get(INTENT_NAME_KEY)), nlu_confidence
