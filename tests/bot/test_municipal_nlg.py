"""One model, many municipalities: the engine fills in the conversation's municipality when it
sends a response (slot `municipality` from the message metadata; the deployment default else)."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("rasa")

from conftest import make_tracker  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import SlotSet  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from actions.handoff import ActionRequestHandoff  # noqa: E402
from actions.show_dutch import ActionShowDutch  # noqa: E402
from addons.municipality import MunicipalityFromMetadata  # noqa: E402
from addons.nlg import PayloadSafeNLG  # noqa: E402
from knowledge import build, loader  # noqa: E402

TOPIC = "informeel_taalaanbod"  # rivierdam overrides it in nl and en (knowledge/municipalities/)
GENERATED = build.outputs()
DOMAIN = Domain.from_yaml(GENERATED[build.OUT_FAQ_DOMAIN]).merge(
    Domain.from_yaml(GENERATED[build.OUT_DIALOGUE_DOMAIN])
).merge(Domain.from_yaml(GENERATED[build.OUT_LANGUAGE_DOMAIN])).merge(
    Domain.from_yaml(GENERATED[build.OUT_MUNICIPALITY_DOMAIN])
)
NLG = PayloadSafeNLG(domain=DOMAIN)


def send(utter: str, language: str = "nl", municipality: str | None = None) -> dict:
    events = [SlotSet("language", language)] + ([SlotSet("municipality", municipality)] if municipality else [])
    tracker = DialogueStateTracker.from_events("u1", events, DOMAIN.slots)
    return asyncio.run(NLG.generate(utter, tracker, "rest"))


def test_municipal_details_follow_the_conversations_municipality():
    voorbeeld, rivier = loader.load_municipality("voorbeeldstad"), loader.load_municipality("rivierdam")
    for municipality in (voorbeeld, rivier):
        text = send("utter_handoff_declined", municipality=municipality.id)["text"]
        assert municipality.team["telefoon"] in text and municipality.website in text
        assert "[[" not in text
    greeting = send("utter_greet", "en", "heidebeek")["text"]
    assert "Heidebeek" in greeting and "[[" not in greeting


def test_municipal_fallback_is_the_deployment_default(monkeypatch):
    assert loader.load_municipality("voorbeeldstad").team["telefoon"] in send("utter_handoff_declined")["text"]
    assert "Voorbeeldstad" in send("utter_greet", municipality="atlantis")["text"]
    monkeypatch.setenv("WEGWIJS_MUNICIPALITY", "heidebeek")
    assert "Heidebeek" in send("utter_greet")["text"]


def test_municipal_override_replaces_the_answer_in_its_languages_only():
    rivier = loader.load_municipality("rivierdam")
    nl = send(f"utter_faq/{TOPIC}", "nl", "rivierdam")
    en = send(f"utter_faq/{TOPIC}", "en", "rivierdam")
    tr = send(f"utter_faq/{TOPIC}", "tr", "rivierdam")
    national = send(f"utter_faq/{TOPIC}", "nl", "voorbeeldstad")
    assert "Taalcafé De Veerpont" in nl["text"] and "elke woensdag" in nl["text"] and rivier.team["telefoon"] in nl["text"]
    assert en["text"].startswith("Besides your lessons") and "every Wednesday" in en["text"]
    assert "Veerpont" not in tr["text"] and rivier.website in tr["text"]  # the national Turkish answer
    assert "Veerpont" not in national["text"] and "Taalcafés en taalmaatjes" in national["text"]
    assert "Bron: https://" in nl["text"] and nl["buttons"] == national["buttons"]  # buttons stay national
    assert all(b["payload"].startswith("/") for b in nl["buttons"])


def test_municipal_slot_is_set_from_the_message_metadata_only_for_known_ids():
    component = MunicipalityFromMetadata({})
    messages = [
        Message(data={"text": "hoi", "metadata": {"municipality": "rivierdam"}}),
        Message(data={"text": "hoi", "metadata": {"municipality": "atlantis"}}),
        Message(data={"text": "hoi", "metadata": {}}),
        Message(data={"text": "hoi"}),
    ]
    component.process(messages)
    found = [[e["value"] for e in m.get("entities") or [] if e["entity"] == "municipality"] for m in messages]
    assert found == [["rivierdam"], [], [], []]
    slot = next(s for s in DOMAIN.slots if s.name == "municipality")
    assert not slot.influence_conversation


def test_municipal_actions_use_the_conversations_municipality():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([], slots={"faq_topic": TOPIC, "language": "en", "municipality": "rivierdam"})
    ActionShowDutch().run(dispatcher, tracker, {})
    assert "Taalcafé De Veerpont" in dispatcher.messages[0]["text"] and "[[" not in dispatcher.messages[0]["text"]
    events = [
        {"event": "user", "text": "mens", "parse_data": {"intent": {"name": "ask_human"}, "entities": []}},
        {"event": "action", "name": "action_offer_handoff"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "ja", "parse_data": {"intent": {"name": "affirm"}, "entities": []}},
    ]
    dispatcher = CollectingDispatcher()
    ActionRequestHandoff().run(dispatcher, make_tracker(events, slots={"municipality": "heidebeek"}), {})
    assert dispatcher.messages[0]["custom"]["wegwijs"]["municipality"] == "heidebeek"
