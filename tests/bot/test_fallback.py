"""The intent-aware fallback: Rasa's FallbackClassifier with a threshold per intent (higher for affirm and delete_my_data)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

pytest.importorskip("rasa")

import yaml  # noqa: E402
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier  # noqa: E402
from rasa.shared.exceptions import InvalidConfigException  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from addons.fallback import IntentAwareFallbackClassifier  # noqa: E402

CONFIG = Path(__file__).resolve().parents[2] / "bot" / "config.yml"
COMPONENT = "addons.fallback.IntentAwareFallbackClassifier"


def shipped_config() -> dict:
    pipeline = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["pipeline"]
    entry = next(c for c in pipeline if c["name"] == COMPONENT)
    return {k: v for k, v in entry.items() if k != "name"}


def make(config: dict | None = None) -> IntentAwareFallbackClassifier:
    return IntentAwareFallbackClassifier({**IntentAwareFallbackClassifier.get_default_config(), **(config or {})})


@pytest.fixture
def shipped() -> IntentAwareFallbackClassifier:
    return make(shipped_config())


def classified(*ranking: tuple[str, float]) -> Message:
    message = Message(data={"text": "-"})
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    return message


def top_intent(component: FallbackClassifier, message: Message) -> str:
    component.process([message])
    return message.get("intent")["name"]


def test_the_shipped_pipeline_ends_with_the_intent_aware_fallback_at_the_global_threshold():
    pipeline = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["pipeline"]
    assert pipeline[-1]["name"] == COMPONENT
    assert shipped_config()["threshold"] == 0.1


def test_a_goodbye_at_0_3_is_kept(shipped):
    assert top_intent(shipped, classified(("goodbye", 0.3), ("thank", 0.2))) == "goodbye"


def test_a_faq_guess_at_0_15_is_kept(shipped):
    assert top_intent(shipped, classified(("faq", 0.15), ("out_of_scope", 0.1))) == "faq"


def test_a_guess_that_no_label_claims_falls_back(shipped):
    assert top_intent(shipped, classified(("faq", 0.08), ("out_of_scope", 0.07))) == "nlu_fallback"


def test_an_affirm_at_0_15_falls_back_because_a_wrong_yes_hands_over_or_deletes_data(shipped):
    assert top_intent(shipped, classified(("affirm", 0.15), ("deny", 0.1))) == "nlu_fallback"


def test_a_delete_my_data_at_0_15_falls_back_and_at_0_3_is_kept(shipped):
    assert top_intent(shipped, classified(("delete_my_data", 0.15), ("faq", 0.1))) == "nlu_fallback"
    assert top_intent(shipped, classified(("delete_my_data", 0.3), ("faq", 0.2))) == "delete_my_data"


def test_two_near_equal_intents_still_fall_back_even_above_the_threshold(shipped):
    assert top_intent(shipped, classified(("goodbye", 0.5), ("thank", 0.495))) == "nlu_fallback"


def test_the_fallback_output_equals_rasas_own_fallback_classifier(shipped):
    message = classified(("faq", 0.08), ("out_of_scope", 0.06), ("thank", 0.05))
    expected = copy.deepcopy(message)
    FallbackClassifier({"threshold": 0.1, "ambiguity_threshold": 0.01}).process([expected])
    shipped.process([message])
    assert message.data == expected.data
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.1}
    assert [r["name"] for r in message.get("intent_ranking")] == ["nlu_fallback", "faq", "out_of_scope", "thank"]


def test_a_fallback_for_a_guarded_intent_carries_the_global_threshold_as_confidence(shipped):
    message = classified(("affirm", 0.15), ("faq", 0.05))
    shipped.process([message])
    assert message.get("intent_ranking")[0] == {"name": "nlu_fallback", "confidence": 0.1}
    assert message.get("intent_ranking")[1] == {"name": "affirm", "confidence": 0.15}


@pytest.mark.parametrize("ranking", [
    (("goodbye", 0.6), ("thank", 0.2)),
    (("faq", 0.85), ("out_of_scope", 0.1)),
    (("faq", 0.81), ("out_of_scope", 0.79)),
    (("deny", 0.9), ("affirm", 0.05)),
])
def test_without_intent_thresholds_it_decides_exactly_like_rasa(ranking):
    ours, rasas = classified(*ranking), classified(*ranking)
    make({"threshold": 0.8}).process([ours])
    FallbackClassifier({"threshold": 0.8, "ambiguity_threshold": 0.1}).process([rasas])
    assert ours.data == rasas.data


@pytest.mark.parametrize("bad", [{"goodbye": 1.5}, {"goodbye": "laag"}, {"goodbye": True}, ["goodbye"]])
def test_an_invalid_intent_threshold_is_refused(bad):
    with pytest.raises(InvalidConfigException):
        make({"intent_thresholds": bad})
