"""Rasa's ResponseSelector, run only for messages whose intent is the retrieval intent.

Rasa 3.6 runs the response selector on every message, though its answer is used only when the
message's intent is ``faq``: a greeting, a thank-you, a deadline question or a yes/no still
paid a second TensorFlow inference (~19 % of the engine's CPU on those turns, bench/RESULTS.md).
The components after it only read the selector's answer for ``faq`` messages
(``PersonalDatesRouter``; ``actions.deadlines.last_faq_topic`` looks for the FAQ topic that was
*answered*, which a greeting never had), and the FallbackClassifier only lowers an intent to
``nlu_fallback``, so skipping the other messages changes no answer.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqResponseSelector(ResponseSelector):
    def process(self, messages: List[Message]) -> List[Message]:
        wanted = [m for m in messages if self._needs_response(m)]
        if wanted:
            super().process(wanted)
        return messages

    def _needs_response(self, message: Message) -> bool:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        return self.retrieval_intent is None or intent == self.retrieval_intent
