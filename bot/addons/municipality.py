"""NLU component: adds the entity ``municipality`` from the message's ``metadata.municipality``.

One trained model serves every municipality in knowledge/municipalities/. The gateway sends the
conversation's municipality (an id) with each message to the REST channel; this component turns a
known id into the entity that fills the ``municipality`` slot (knowledge/build.py generates it
into bot/domain/municipality.generated.yml, influence_conversation false). Without metadata, or
with an unknown id, nothing is added and the slot keeps its value; the NLG then uses the
conversation's municipality, or the deployment default (knowledge/municipal.py).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge import loader

logger = logging.getLogger(__name__)

ENTITY = "municipality"
METADATA_KEY = "municipality"


def metadata_municipality(message: Message, known: Any) -> Optional[Text]:
    """The known municipality id in the message's metadata, if any."""
    metadata = message.get("metadata")
    if not isinstance(metadata, dict):
        return None
    value = metadata.get(METADATA_KEY)
    if not isinstance(value, str) or not value:
        return None
    if value not in known:
        logger.debug("unknown municipality %r in the message metadata: ignored", value[:40])
        return None
    return value


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class MunicipalityFromMetadata(GraphComponent):
    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config
        self._known = frozenset(loader.municipalities())  # read once, when the model is loaded

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MunicipalityFromMetadata":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            value = metadata_municipality(message, self._known)
            if value is None:
                continue
            entity = {
                "entity": ENTITY,
                "value": value,
                "start": 0,
                "end": len(message.get(TEXT) or ""),
                "confidence": 1.0,
                "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
