"""NLU component: adds the entity ``language`` (one of knowledge/languages.yml) when a message's language is clear.

Trained on the training examples' ``metadata.lang`` labels, which knowledge/build.py writes.
The slot ``language`` is filled from this entity, so responses follow the user's language;
short or mixed messages add nothing and the slot keeps its value.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from dialogue.language import LanguageModel

ENTITY = "language"


def example_language(message: Message) -> Optional[Text]:
    """A training example's language (knowledge/build.py writes it as the block's metadata)."""
    metadata = message.get("metadata") or {}
    return (metadata.get("intent") or {}).get("lang") or (metadata.get("example") or {}).get("lang")
MODEL_FILE = "language_model.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class LanguageDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"threshold": 0.85, "default_language": "nl"}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[LanguageModel] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model or LanguageModel()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        pairs = []
        for message in training_data.intent_examples:
            lang = example_language(message)
            if lang and message.get(TEXT):
                pairs.append((message.get(TEXT), lang))
        self._model = LanguageModel().fit(pairs)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_text(json.dumps(self._model.to_dict()), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LanguageDetector":
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
            model = LanguageModel.from_dict(data)
        except (ValueError, FileNotFoundError):
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            lang, probability = self._model.detect(text, self._config["threshold"])
            if lang is None:
                continue
            entity = {
                "entity": ENTITY,
                "value": lang,
                "start": 0,
                "end": len(text),
                "confidence": round(probability, 3),
                "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
