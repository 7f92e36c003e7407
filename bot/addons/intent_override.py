"""Set a message's intent from a rule (patterns, the person's own dates) after the classifiers ran."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def override_intent(message: Message, name: str) -> None:
    """Make ``name`` the intent with full confidence.

    The classifiers' guesses stay in the ranking at half their confidence, so the
    FallbackClassifier does not see two equally likely intents.
    """
    intent = {"name": name, "confidence": 1.0}
    others = [
        {**r, "confidence": r.get("confidence", 0.0) * 0.5}
        for r in message.get(INTENT_RANKING_KEY, [])
        if r.get("name") != name
    ]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent] + others, add_to_output=True)
