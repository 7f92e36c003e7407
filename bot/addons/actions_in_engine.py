"""Custom actions run inside the engine process, without the HTTP round trip to an action server.

Rasa Pro (3.10+) has this as ``action_endpoint: actions_module: <package>``; Rasa Open Source 3.6
only calls an action server over HTTP. With ``actions_module`` set in bot/endpoints.yml
(``WEGWIJS_ACTIONS_MODULE``, default ``actions``), ``RemoteAction.run`` hands the same action call
that Rasa would POST (``_action_call_format``: tracker state, selective domain) to rasa_sdk's own
``ActionExecutor`` in this process, and treats its answer as if it had come over the wire: a JSON
round trip, Rasa's response-format check, ``responses`` rendered by the NLG, ``events`` deserialised.
With ``actions_module`` empty, Rasa's HTTP call is used unchanged (a separate action server, e.g.
for actions that do slow I/O and must not hold up the engine's event loop).

Why: every Wegwijs action is a pure function of the conversation (no I/O; bot/actions). Over HTTP
a deadline turn waited in the busy engine's queue twice, once before and once after the action
server's answer, and made most of the slowest 5 % of all turns under load (bench/RESULTS.md).

Errors keep Rasa's meaning: a rejection by a form validation action becomes Rasa's
``ActionExecutionRejection`` (the form then lets other policies predict), an unknown action or an
exception inside an action becomes a ``RasaException``, which the processor logs and survives,
exactly like an action server that answered 404 or 500.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any, Callable, List, Optional, Text

logger = logging.getLogger(__name__)

SETTING = "actions_module"


def actions_module(endpoint: Any) -> Optional[Text]:
    """The package whose actions run in the engine, or None to call the action server."""
    if endpoint is None:
        return None
    value = (getattr(endpoint, "kwargs", None) or {}).get(SETTING)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


@lru_cache(maxsize=None)
def executor_for(package: Text) -> Any:
    """rasa_sdk's executor with every action of ``package`` registered (imported once)."""
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package(package)
    logger.info("custom actions run in the engine: %d actions from %r", len(executor.actions), package)
    return executor


def prepare(endpoint: Any) -> None:
    """Import the actions at start-up (not during the first conversation that needs one)."""
    package = actions_module(endpoint)
    if package is not None:
        executor_for(package)


def run_in_engine(original: Callable) -> Callable:
    """``RemoteAction.run`` that uses ``executor_for(actions_module)`` when it is configured."""
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.core import events
    from rasa.shared.exceptions import RasaException
    from rasa_sdk.interfaces import ActionExecutionRejection as SdkRejection
    from rasa_sdk.interfaces import ActionNotFoundException

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        package = actions_module(self.action_endpoint)
        if package is None:
            return await original(self, output_channel, nlg, tracker, domain)
        action_call = self._action_call_format(tracker, domain)
        try:
            result = await executor_for(package).run(action_call)
        except SdkRejection as e:
            logger.debug("action %r rejected the input: %s", e.action_name, e.message)
            raise ActionExecutionRejection(e.action_name, e.message) from e
        except ActionNotFoundException as e:
            raise RasaException(
                f"Failed to execute custom action '{self.name()}': no such action in '{package}'"
            ) from e
        except Exception as e:  # an action's own error: the action server would answer 500
            raise RasaException(f"Failed to execute custom action '{self.name()}'") from e
        try:  # what the action server would have sent: values that cannot go over the wire fail here too
            response = json.loads(json.dumps(result or {}))
        except (TypeError, ValueError) as e:
            raise RasaException(f"Failed to execute custom action '{self.name()}': its answer is not JSON") from e
        self._validate_action_result(response)
        bot_messages = await self._utter_responses(response.get("responses", []), output_channel, nlg, tracker)
        return list(bot_messages) + events.deserialise_events(response.get("events", []))

    run.__wrapped__ = original  # type: ignore[attr-defined]
    return run
