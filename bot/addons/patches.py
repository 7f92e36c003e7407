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
from typing import Any, Callable, Dict, Text

logger = logging.getLogger(__name__)

_applied = False


@functools.lru_cache(maxsize=1)
def _fast_check() -> Callable[[Any], None]:
    """A compiled check of an action server answer; raises fastjsonschema.JsonSchemaException.

    Rasa's schema lists the event types under ``oneOf``, each fixing ``event`` to a constant.
    Checked as written, every event is tried against all 23 types, and each failed type builds
    an error message with the event in it (that was still 8 % of the engine's CPU). Because the
    constants differ, an event matches ``oneOf`` exactly when it matches the type its ``event``
    names, so each event is checked against that one type only. A schema of another shape
    (another Rasa version) is compiled as it is.
    """
    import copy

    import fastjsonschema
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    try:
        event_schema = spec["properties"]["events"]["items"]
        branches = event_schema["oneOf"]
        by_type = {branch["properties"]["event"]["const"]: branch for branch in branches}
    except (KeyError, TypeError):
        return fastjsonschema.compile(spec)
    if len(by_type) != len(branches):
        return fastjsonschema.compile(spec)
    base = {k: v for k, v in event_schema.items() if k != "oneOf"}
    per_type = {name: fastjsonschema.compile({"allOf": [base, branch]}) for name, branch in by_type.items()}
    outer = copy.deepcopy(spec)
    outer["properties"]["events"] = {"type": "array"}
    check_outer = fastjsonschema.compile(outer)

    def check(result: Any) -> None:
        check_outer(result)
        events = result.get("events") if isinstance(result, dict) else None
        for event in events or ():
            name = event.get("event") if isinstance(event, dict) else None
            validator = per_type.get(name) if isinstance(name, str) else None
            if validator is None:
                raise fastjsonschema.JsonSchemaException("event of no known type")
            validator(event)

    return check


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
