"""Custom actions inside the engine (addons.actions_in_engine) answer exactly as the action server does.

Every Wegwijs action runs on the same conversations twice: once through Rasa's HTTP call to the
real action server (bot/serve_actions.py in a subprocess) and once inside this process. The events
and messages must be the same; errors must keep Rasa's meaning.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("rasa")

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction  # noqa: E402
from rasa.core.channels.channel import CollectingOutputChannel  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.shared.exceptions import RasaException  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from addons import actions_in_engine, patches  # noqa: E402
from addons.nlg import PayloadSafeNLG  # noqa: E402

patches.apply("all")  # as the engine does at start-up, whatever WEGWIJS_ENGINE_PATCHES says

BOT = Path(__file__).resolve().parents[2] / "bot"
DOMAIN = Domain.load(str(BOT / "domain"))
TOKEN = "in-engine-test-token"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def action_server():
    port = free_port()
    env = dict(os.environ, WEGWIJS_ACTIONS_TOKEN=TOKEN, WEGWIJS_ACTIONS_HOST="127.0.0.1")
    proc = subprocess.Popen([sys.executable, "serve_actions.py", "--port", str(port)], cwd=BOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                pytest.fail("the action server did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def over_http(url: str) -> EndpointConfig:
    return EndpointConfig(url, token=TOKEN, enable_selective_domain=True, actions_module="")


def in_engine(package: str = "actions") -> EndpointConfig:
    return EndpointConfig("http://127.0.0.1:9/unused", token=TOKEN, enable_selective_domain=True,
                          actions_module=package)


def user(text: str, intent: str, response_key: str | None = None) -> UserUttered:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []}
    if response_key:
        parse["response_selector"] = {"faq": {"response": {"intent_response_key": response_key}}}
    return UserUttered(text, parse["intent"], [], parse)


CONVERSATIONS = {
    "a deadline question with the PIP date": [
        ActionExecuted("action_listen"), user("wanneer moet ik klaar zijn? mijn pip is van 12 mei 2025", "ask_deadlines")],
    "a deadline question without a date": [
        ActionExecuted("action_listen"), user("when do I have to be finished?", "ask_deadlines"),
        SlotSet("language", "en")],
    "a FAQ question answered before": [
        ActionExecuted("action_listen"), user("wat kost inburgeren?", "faq", "faq/kosten"),
        SlotSet("faq_topic", "kosten")],
    "a yes after an offer to talk to a person": [
        ActionExecuted("action_listen"), user("ik begrijp het niet", "nlu_fallback"),
        ActionExecuted("action_offer_handoff"), ActionExecuted("action_listen"), user("ja", "affirm")],
}
ACTIONS = sorted(
    name for name in DOMAIN.user_actions
    if name.startswith(("action_", "validate_")) and name not in ("action_listen",)
)


def run(action: str, endpoint: EndpointConfig, events: list) -> tuple[str, object]:
    """The action's events (without timestamps), or the kind of error it ended in."""
    tracker = DialogueStateTracker.from_events("in-engine-test", events, DOMAIN.slots)
    nlg = PayloadSafeNLG(domain=DOMAIN)
    try:
        result = asyncio.run(RemoteAction(action, endpoint).run(CollectingOutputChannel(), nlg, tracker, DOMAIN))
    except ActionExecutionRejection:
        return "rejected", None
    except RasaException:
        return "failed", None
    return "ok", [{k: v for k, v in e.as_dict().items() if k != "timestamp"} for e in result]


def test_the_domain_lists_the_actions_this_test_compares():
    assert {"action_start_deadlines", "action_compute_deadlines", "action_request_handoff"} <= set(ACTIONS)


@pytest.mark.parametrize("conversation", sorted(CONVERSATIONS))
def test_every_action_answers_inside_the_engine_exactly_as_through_the_action_server(action_server, conversation):
    events = CONVERSATIONS[conversation]
    for action in ACTIONS:
        expected = run(action, over_http(action_server), events)
        assert expected[0] == "ok" and expected[1], action  # every action answers these conversations
        assert run(action, in_engine(), events) == expected, action


def test_a_complete_deadline_question_gets_its_dates_inside_the_engine():
    outcome, events = run("action_start_deadlines", in_engine(), CONVERSATIONS["a deadline question with the PIP date"])
    assert outcome == "ok"
    assert {"event": "slot", "name": "pip_date", "value": "2025-05-12"} in events
    assert any(e["event"] == "bot" and (e.get("data") or {}).get("custom") for e in events)  # the timeline payload


def test_an_empty_actions_module_calls_the_action_server_over_http():
    # nothing listens on port 9: only the HTTP path can fail like this
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook", token=TOKEN, actions_module="")
    assert actions_in_engine.actions_module(endpoint) is None
    assert run("action_start_deadlines", endpoint, CONVERSATIONS["a deadline question with the PIP date"])[0] == "failed"


@pytest.fixture
def odd_actions(tmp_path, monkeypatch):
    """A package of actions that reject, fail and answer with a value JSON cannot carry."""
    package = tmp_path / "odd_actions"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        import datetime
        from rasa_sdk import Action
        from rasa_sdk.events import SlotSet
        from rasa_sdk.interfaces import ActionExecutionRejection

        class Rejects(Action):
            def name(self): return "action_rejects"
            def run(self, dispatcher, tracker, domain):
                raise ActionExecutionRejection("action_rejects", "no such date")

        class Fails(Action):
            def name(self): return "action_fails"
            def run(self, dispatcher, tracker, domain):
                raise RuntimeError("bug")

        class NotJson(Action):
            def name(self): return "action_not_json"
            def run(self, dispatcher, tracker, domain):
                return [SlotSet("pip_date", datetime.date(2025, 5, 12))]

        class Async(Action):
            def name(self): return "action_async"
            async def run(self, dispatcher, tracker, domain):
                dispatcher.utter_message(text="hallo " + tracker.sender_id)
                return [SlotSet("language", "en")]
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    return "odd_actions"


def test_a_rejection_inside_the_engine_is_rasas_rejection(odd_actions):
    assert run("action_rejects", in_engine(odd_actions), [])[0] == "rejected"


def test_an_error_inside_an_action_or_an_unknown_action_fails_the_action_not_the_engine(odd_actions):
    assert run("action_fails", in_engine(odd_actions), [])[0] == "failed"
    assert run("action_no_such_thing", in_engine(odd_actions), [])[0] == "failed"
    assert run("action_not_json", in_engine(odd_actions), [])[0] == "failed"  # would not survive the wire


def test_messages_and_events_of_an_async_action_come_back_as_rasa_events(odd_actions):
    outcome, events = run("action_async", in_engine(odd_actions), [])
    assert outcome == "ok"
    assert [e["event"] for e in events] == ["bot", "slot"]
    assert events[0]["text"] == "hallo in-engine-test"
    assert events[1]["value"] == "en"


def test_the_actions_are_imported_when_the_model_loads_not_in_the_first_conversation(odd_actions):
    actions_in_engine.executor_for.cache_clear()
    actions_in_engine.prepare(in_engine(odd_actions))
    assert actions_in_engine.executor_for.cache_info().currsize == 1
    actions_in_engine.prepare(over_http("http://127.0.0.1:9/webhook"))  # nothing to import
    assert actions_in_engine.executor_for.cache_info().currsize == 1
