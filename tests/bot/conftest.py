"""Fixtures for action tests: trackers built like Rasa sends them, a fresh dispatcher per test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
sys.path.insert(0, str(BOT_DIR))  # `import actions` as the action server does

pytest.importorskip("rasa_sdk", reason="action tests run in the engine environment")

from rasa_sdk import Tracker  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402


def user_event(text: str, intent: str, entities: list | None = None, response_key: str | None = None) -> dict:
    parse: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []}
    if response_key:
        parse["response_selector"] = {"faq": {"response": {"intent_response_key": response_key}}}
    return {"event": "user", "text": text, "parse_data": parse}


def action_event(name: str) -> dict:
    return {"event": "action", "name": name}


def make_tracker(
    events: list[dict],
    slots: dict[str, Any] | None = None,
    active_loop: dict | None = None,
) -> Tracker:
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    all_slots = {"language": "nl", "requested_slot": None}
    all_slots.update(slots or {})
    return Tracker(
        sender_id="test-user",
        slots=all_slots,
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop=active_loop or {},
        latest_action_name=None,
    )


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
