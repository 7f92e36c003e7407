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
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator, interpolator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from addons import patches

KEYS_TO_INTERPOLATE = ("text", "image", "custom", "attachment")
KEYS_WITH_PAYLOADS = ("buttons", "quick_replies")


class PayloadSafeNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        patches.apply()  # engine start-up (idempotent): Rasa's Agent creates the NLG before it loads the model
        super().__init__((domain or Domain.empty()).responses)

    def _fill_response(
        self,
        response: Dict[Text, Any],
        filled_slots: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> Dict[Text, Any]:
        values = self._response_variables(filled_slots, kwargs)
        if not values:
            return response
        for key in KEYS_TO_INTERPOLATE:
            if key in response:
                response[key] = interpolator.interpolate(response[key], values)
        for key in KEYS_WITH_PAYLOADS:
            if isinstance(response.get(key), list):
                response[key] = [_fill_button(button, values) for button in response[key]]
        return response


def _fill_button(button: Any, values: Dict[Text, Any]) -> Any:
    if not isinstance(button, dict):
        return button
    filled = dict(button)
    if isinstance(filled.get("title"), str):
        filled["title"] = interpolator.interpolate_text(filled["title"], values)
    return filled
