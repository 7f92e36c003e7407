"""Response generation that leaves button payloads alone.

Rasa's ``TemplatedNaturalLanguageGenerator`` fills ``{slot}`` placeholders in every string of a
response, button payloads included. Our related-topic buttons carry payloads such as
``/choose_topic{"faq_topic": "kosten"}``: Rasa reads the JSON braces as a placeholder, fails,
logs an ERROR with a rendered traceback and sends the payload unchanged. The answer is right,
but every FAQ answer cost ~8 % of the engine's CPU in that log call (bench/RESULTS.md, profile)
and filled the log with false errors.

``PayloadSafeNLG`` interpolates the same keys as Rasa except button and quick-reply *payloads*,
which are commands for the engine, never text for the user. Selected in bot/endpoints.yml
(``nlg: type: addons.nlg.PayloadSafeNLG``).

It also fills in the municipality when a response is sent (one model serves every municipality,
knowledge/municipal.py): the ``[[gemeente.*]]`` markers get the details of the conversation's
municipality (slot ``municipality``; the deployment default when unknown), in the response's
language, and an FAQ answer that the municipality overrides in that language is replaced by its
own text. All municipalities are read once, when the NLG is created; filling is a dict lookup.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator, interpolator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from addons import patches
from knowledge import languages, municipal

KEYS_TO_INTERPOLATE = ("text", "image", "custom", "attachment")
KEYS_WITH_PAYLOADS = ("buttons", "quick_replies")
MUNICIPALITY_SLOT = "municipality"
LANGUAGE_SLOT = "language"
FAQ_RESPONSE_PREFIX = "utter_faq/"


class PayloadSafeNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        patches.apply()  # engine start-up (idempotent): Rasa's Agent creates the NLG before it loads the model
        super().__init__((domain or Domain.empty()).responses)
        municipal.warm()  # every municipality's values and overrides, before the first message

    def generate_from_slots(
        self,
        utter_action: Text,
        filled_slots: Dict[Text, Any],
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        response = copy.deepcopy(self._random_response_for(utter_action, output_channel, filled_slots))
        if response is None:
            return None
        if utter_action.startswith(FAQ_RESPONSE_PREFIX) and isinstance(response.get("text"), str):
            own = municipal.override_answer(
                municipal.resolve((filled_slots or {}).get(MUNICIPALITY_SLOT)).id,
                utter_action[len(FAQ_RESPONSE_PREFIX):],
                _variation_language(response),
            )
            if own is not None:
                response["text"] = own
        return self._fill_response(response, filled_slots, **kwargs)

    def _fill_response(
        self,
        response: Dict[Text, Any],
        filled_slots: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> Dict[Text, Any]:
        values = self._response_variables(filled_slots, kwargs)
        if values:
            for key in KEYS_TO_INTERPOLATE:
                if key in response:
                    response[key] = interpolator.interpolate(response[key], values)
            for key in KEYS_WITH_PAYLOADS:
                if isinstance(response.get(key), list):
                    response[key] = [_fill_button(button, values) for button in response[key]]
        return _fill_municipality(response, (filled_slots or {}).get(MUNICIPALITY_SLOT), _variation_language(response))


def _variation_language(response: Dict[Text, Any]) -> Text:
    """The language of a response variation: its `language` slot condition, else the Dutch default."""
    for condition in response.get("condition") or []:
        if isinstance(condition, dict) and condition.get("name") == LANGUAGE_SLOT and condition.get("value"):
            return str(condition["value"])
    return languages.SOURCE


def _fill_municipality(response: Dict[Text, Any], municipality: Optional[Text], lang: Text) -> Dict[Text, Any]:
    """The conversation's municipal details in the text and the button titles (never payloads)."""
    text = response.get("text")
    if isinstance(text, str) and municipal.MARKER_START in text:
        response["text"] = municipal.fill(text, municipality, lang)
    for key in KEYS_WITH_PAYLOADS:
        if isinstance(response.get(key), list):
            for button in response[key]:
                title = button.get("title") if isinstance(button, dict) else None
                if isinstance(title, str) and municipal.MARKER_START in title:
                    button["title"] = municipal.fill(title, municipality, lang)
    return response


def _fill_button(button: Any, values: Dict[Text, Any]) -> Any:
    if not isinstance(button, dict):
        return button
    filled = dict(button)
    if isinstance(filled.get("title"), str):
        filled["title"] = interpolator.interpolate_text(filled["title"], values)
    return filled
