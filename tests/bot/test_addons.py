"""The NLU components that set an intent by rule, on messages as the pipeline hands them over."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from addons.personal_dates import PersonalDatesRouter  # noqa: E402
from addons.safety_signal import SafetySignalDetector  # noqa: E402


def classified(text: str, intent: str, confidence: float = 0.98, topic: str | None = None) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}, {"name": "out_of_scope", "confidence": 0.02}])
    if topic:
        message.set("response_selector", {"faq": {"response": {"intent_response_key": f"faq/{topic}"}}})
    return message


def test_a_danger_signal_wins_over_a_confident_faq_guess_without_ambiguity():
    message = classified("mijn man slaat mij als ik naar les ga", "faq", topic="werken")
    SafetySignalDetector().process([message])
    assert message.get("intent") == {"name": "signal_danger", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "signal_danger" and ranking[1]["confidence"] <= 0.5  # no tie for the fallback


def test_an_ordinary_message_keeps_its_intent():
    message = classified("mijn man helpt mij met de les", "faq", topic="referent_rol")
    SafetySignalDetector().process([message])
    assert message.get("intent")["name"] == "faq"


def test_a_rule_question_with_an_own_pip_date_becomes_a_deadline_question():
    message = classified("mijn pip is van 12 mei 2024, kan ik verlenging krijgen?", "faq", topic="verlenging")
    PersonalDatesRouter().process([message])
    assert message.get("intent")["name"] == "ask_deadlines"


def test_a_law_question_with_a_date_stays_a_faq_question():
    message = classified("ik heb mijn pas op 5 januari 2022 opgehaald, welke wet geldt?", "faq", topic="welke_wet")
    PersonalDatesRouter().process([message])
    assert message.get("intent")["name"] == "faq"
