"""Consent before sharing; a handoff payload and a paused conversation after a yes."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa_sdk")

from conftest import action_event, make_tracker, user_event  # noqa: E402

from actions.handoff import (  # noqa: E402
    ActionDeclineHandoff,
    ActionDeleteMyData,
    ActionHandleFallback,
    ActionOfferHandoff,
    ActionRequestHandoff,
)


def test_asking_for_a_person_asks_consent_first(dispatcher):
    tracker = make_tracker([user_event("ik wil een mens spreken", "ask_human")])
    events = ActionOfferHandoff().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_handoff_consent"
    assert {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": "user_request"} in events


def test_yes_after_the_offer_creates_a_handoff_payload_and_pauses(dispatcher):
    events = [
        user_event("ik wil een mens spreken", "ask_human"),
        action_event("action_offer_handoff"),
        action_event("action_listen"),
        user_event("ja", "affirm"),
    ]
    tracker = make_tracker(events, slots={"handoff_reason": "user_request", "pip_date": "2024-05-12"})
    result = ActionRequestHandoff().run(dispatcher, tracker, {})
    payload = dispatcher.messages[0]["custom"]["wegwijs"]
    assert payload["type"] == "handoff" and payload["reason"] == "user_request"
    assert payload["slots"] == {"pip_date": "2024-05-12"}
    assert payload["consent_at"].endswith("+00:00")
    assert any(e["event"] == "pause" for e in result)


def test_a_yes_that_does_not_answer_the_offer_shares_nothing(dispatcher):
    events = [
        action_event("action_offer_handoff"),
        user_event("wat kost het", "faq"),
        action_event("utter_faq"),
        user_event("ja", "affirm"),
    ]
    result = ActionRequestHandoff().run(dispatcher, make_tracker(events), {})
    assert all("custom" not in m or not m["custom"] for m in dispatcher.messages)
    assert not any(e["event"] == "pause" for e in result)


def test_refusing_consent_shares_nothing_and_gives_other_ways(dispatcher):
    events = [action_event("action_offer_handoff"), action_event("action_listen"), user_event("nee", "deny")]
    result = ActionDeclineHandoff().run(dispatcher, make_tracker(events), {})
    assert dispatcher.messages[0]["response"] == "utter_handoff_declined"
    assert not any(e["event"] == "pause" for e in result)


def test_the_second_misunderstanding_in_a_row_offers_a_person(dispatcher):
    first = make_tracker([user_event("blub", "nlu_fallback")])
    ActionHandleFallback().run(dispatcher, first, {})
    assert dispatcher.messages[-1]["response"] == "utter_default"
    second = make_tracker(
        [user_event("blub", "nlu_fallback"), action_event("action_handle_fallback"), user_event("blab", "nlu_fallback")]
    )
    events = ActionHandleFallback().run(dispatcher, second, {})
    assert dispatcher.messages[-1]["response"] == "utter_handoff_consent"
    assert {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": "fallback"} in events


def test_a_danger_signal_is_the_handoff_reason(dispatcher):
    tracker = make_tracker([user_event("mijn man slaat mij", "signal_danger")])
    events = ActionOfferHandoff().run(dispatcher, tracker, {})
    assert {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": "danger"} in events


def test_deleting_data_needs_a_yes_to_the_confirmation(dispatcher):
    events = [action_event("action_confirm_delete"), action_event("action_listen"), user_event("ja", "affirm")]
    ActionDeleteMyData().run(dispatcher, make_tracker(events), {})
    assert dispatcher.messages[0]["custom"]["wegwijs"]["type"] == "delete_my_data"
    kept = make_tracker([action_event("action_confirm_delete"), action_event("action_listen"), user_event("nee", "deny")])
    ActionDeleteMyData().run(dispatcher, kept, {})
    assert dispatcher.messages[-1]["response"] == "utter_delete_kept"
