"""Switching the language by a word: the slot, and the channel told (a `language` payload)."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa_sdk")

from conftest import make_tracker, user_event  # noqa: E402

from actions.switch_language import ActionSwitchLanguage  # noqa: E402


@pytest.mark.parametrize(("text", "entities", "expected"), [
    ("Türkçe", [{"entity": "language_choice", "value": "tr"}], "tr"),
    ("العربية", [], "ar"),  # the whole message names the language
    ("/taal", [], "nl"),  # no language named: keep the current one
])
def test_the_switch_sets_the_slot_and_tells_the_channel_the_new_language(dispatcher, text, entities, expected):
    tracker = make_tracker([user_event(text, "switch_language", entities)])
    events = ActionSwitchLanguage().run(dispatcher, tracker, {})
    assert {"event": "slot", "timestamp": None, "name": "language", "value": expected} in events
    assert dispatcher.messages[0]["custom"] == {"wegwijs": {"type": "language", "lang": expected}}
    assert not dispatcher.messages[0].get("text")
