"""A measured fix to Rasa 3.6 internals that has no configuration switch.

Applied once when the ``addons`` package is imported, which ``rasa run`` does at start-up
because bot/endpoints.yml names ``addons.stores`` and ``addons.nlg``. Each fix keeps Rasa's
behaviour and is covered by tests/bot/test_engine_patches.py.

``RemoteAction._validate_action_result``
    Rasa calls ``jsonschema.validate(result, spec)`` for every answer of the action server.
    ``validate`` first checks the *schema* against the JSON Schema meta-schema, every time: in
    the profile of a deadline turn that check was 14 % of the engine's CPU (bench/RESULTS.md).
    Here the schema is compiled once with fastjsonschema (Python code generated from the schema;
    the instance check was another 10 % with jsonschema's ``oneOf`` over every event type). An
    answer that fails the fast check is checked again by jsonschema, so an invalid answer still
    raises the same ``ValidationError`` with Rasa's explanation.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Dict, Text

logger = logging.getLogger(__name__)

_applied = False


@functools.lru_cache(maxsize=1)
def _fast_check() -> Any:
    import fastjsonschema
    from rasa.core.actions.action import RemoteAction

    return fastjsonschema.compile(RemoteAction.action_response_format_spec())


@functools.lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    import fastjsonschema
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _fast_check()(result)
        return True
    except fastjsonschema.JsonSchemaException:
        pass  # explain it the way Rasa does
    error = best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True  # the two checkers disagree: jsonschema, Rasa's own, decides


def apply() -> None:
    global _applied
    if _applied:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result
    _applied = True
    logger.debug("Wegwijs engine patches applied: RemoteAction._validate_action_result")
