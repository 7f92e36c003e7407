"""The engine's speed fixes keep Rasa's behaviour: action-result checks, responses, tracker storage."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from pathlib import Path

import pytest

pytest.importorskip("rasa")

import jsonschema  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402
from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from addons import patches  # noqa: E402
from addons.nlg import PayloadSafeNLG  # noqa: E402
from addons.stores import ResilientSQLTrackerStore  # noqa: E402

patches.apply("all")  # as the engine does at start-up, whatever WEGWIJS_ENGINE_PATCHES says

VALID_RESULTS = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "pip_date", "value": "2025-05-12", "timestamp": None}],
     "responses": [{"text": "Uw termijn eindigt op 12 mei 2028."}]},
    {"events": [{"event": "active_loop", "name": "deadlines_form"}, {"event": "followup", "name": "action_listen"},
                {"event": "user", "text": "ja", "parse_data": {"intent": {"name": "affirm", "confidence": 1.0},
                                                               "entities": [], "response_selector": {"all_retrieval_intents": []}}}],
     "responses": [{"response": "utter_deadlines_intro"}]},
]
INVALID_RESULTS = [
    {"events": [{"event": "slot", "value": 1}]},  # a SlotSet without a name
    {"events": "not a list"},
    {"responses": [["not", "an", "object"]]},
    {"events": [{"event": "user", "parse_data": {"intent": {"name": 3}}}]},
    {"events": [{"event": "entities"}]},  # entities are required
]


def rasa_verdict(result: dict) -> str | None:
    """What Rasa's own check (jsonschema.validate) says: None for valid, else the error message."""
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return None
    except jsonschema.ValidationError as e:
        return e.message


def our_verdict(result: dict) -> str | None:
    try:
        RemoteAction("action_x", None)._validate_action_result(result)
        return None
    except jsonschema.ValidationError as e:
        return e.message


def test_the_engine_patches_replace_rasas_action_result_check():
    assert RemoteAction._validate_action_result is patches.validate_action_result


@pytest.mark.parametrize("result", VALID_RESULTS)
def test_a_valid_action_server_answer_passes_the_check(result):
    assert rasa_verdict(result) is None
    assert our_verdict(result) is None


@pytest.mark.parametrize("result", INVALID_RESULTS)
def test_an_invalid_action_server_answer_is_rejected_with_rasas_message_and_explanation(result):
    expected = rasa_verdict(result)
    assert expected is not None
    message = our_verdict(result)
    assert message is not None and message.startswith(expected)
    assert "Failed to validate Action server response" in message


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))
event_names = st.sampled_from(["user", "bot", "slot", "action", "entities", "active_loop", "followup", "pause",
                               "resume", "restart", "form_validation", "nonsense"])
event = st.fixed_dictionaries(
    {"event": event_names},
    optional={
        "name": st.one_of(st.text(max_size=8), st.integers()),
        "value": json_leaf,
        "text": st.one_of(st.none(), st.text(max_size=8), st.integers()),
        "entities": st.one_of(st.lists(st.fixed_dictionaries({"entity": st.text(max_size=3)},
                                                              optional={"value": json_leaf, "start": json_leaf})),
                              json_leaf),
        "parse_data": st.one_of(json_leaf, st.fixed_dictionaries(
            {}, optional={"intent": st.fixed_dictionaries({}, optional={"name": json_leaf, "confidence": json_leaf}),
                          "response_selector": st.one_of(json_leaf, st.dictionaries(st.text(max_size=3), json_leaf))})),
        "confidence": json_leaf,
        "hide_rule_turn": json_leaf,
        "timestamp": json_leaf,
        "metadata": st.one_of(json_leaf, st.dictionaries(st.text(max_size=3), json_leaf, max_size=2)),
    },
)
action_result = st.fixed_dictionaries(
    {}, optional={"events": st.one_of(st.lists(st.one_of(event, event, json_leaf), max_size=4), json_leaf),
                  "responses": st.one_of(st.lists(st.one_of(st.dictionaries(st.text(max_size=4), json_leaf), json_leaf),
                                                  max_size=3), json_leaf)})


@settings(max_examples=1000, deadline=None)
@given(action_result)
def test_the_fast_check_accepts_and_rejects_exactly_what_rasas_check_does(result):
    expected = rasa_verdict(result)
    message = our_verdict(result)
    assert (message is None) == (expected is None)
    if expected is not None:
        assert message.startswith(expected)


# -- responses ------------------------------------------------------------------------------------
DOMAIN = Domain.from_dict(
    {
        "slots": {"language": {"type": "text", "mappings": [{"type": "custom"}]}},
        "responses": {
            "utter_answer": [{"text": "Antwoord in taal {language}.",
                              "buttons": [{"title": "Kosten ({language})", "payload": '/choose_topic{"faq_topic": "kosten"}'},
                                          {"title": "Een mens", "payload": "/request_handoff"}]}],
        },
    }
)


def test_button_payloads_are_sent_as_written_without_an_error_in_the_log(caplog):
    tracker = DialogueStateTracker.from_events("u1", [SlotSet("language", "nl")], DOMAIN.slots)
    nlg = PayloadSafeNLG(domain=DOMAIN)
    with caplog.at_level(logging.DEBUG):
        response = asyncio.run(nlg.generate("utter_answer", tracker, "rest"))
    assert [b["payload"] for b in response["buttons"]] == ['/choose_topic{"faq_topic": "kosten"}', "/request_handoff"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_slot_placeholders_in_texts_and_button_titles_are_still_filled():
    tracker = DialogueStateTracker.from_events("u1", [SlotSet("language", "nl")], DOMAIN.slots)
    response = asyncio.run(PayloadSafeNLG(domain=DOMAIN).generate("utter_answer", tracker, "rest"))
    assert response["text"] == "Antwoord in taal nl."
    assert response["buttons"][0]["title"] == "Kosten (nl)"


def test_the_endpoints_file_selects_the_payload_safe_responses_and_the_selective_domain(monkeypatch):
    monkeypatch.setenv("WEGWIJS_ACTIONS_MODULE", "actions")
    for name in ("WEGWIJS_ACTIONS_URL", "WEGWIJS_ACTIONS_TOKEN", "WEGWIJS_ENGINE_TRACKER_DIALECT", "WEGWIJS_ENGINE_TRACKER_URL",
                 "WEGWIJS_ENGINE_TRACKER_DB", "WEGWIJS_ENGINE_LOCK_STORE", "WEGWIJS_ENGINE_REDIS_HOST",
                 "WEGWIJS_ENGINE_REDIS_PORT", "WEGWIJS_ENGINE_REDIS_DB", "WEGWIJS_ENGINE_REDIS_PASSWORD"):
        monkeypatch.setenv(name, "x")
    from rasa.core.nlg.generator import NaturalLanguageGenerator
    from rasa.utils.endpoints import read_endpoint_config

    endpoints = Path(__file__).resolve().parents[2] / "bot" / "endpoints.yml"
    assert isinstance(NaturalLanguageGenerator.create(read_endpoint_config(str(endpoints), "nlg"), DOMAIN), PayloadSafeNLG)
    assert read_endpoint_config(str(endpoints), "action_endpoint").kwargs.get("enable_selective_domain") is True
    assert read_endpoint_config(str(endpoints), "action_endpoint").kwargs.get("actions_module") == "actions"


# -- tracker storage ------------------------------------------------------------------------------
STORE_DOMAIN = Domain.from_dict({"intents": ["greet", "faq"], "slots": {"language": {"type": "text", "mappings": [{"type": "custom"}]}},
                                 "responses": {"utter_greet": [{"text": "Hallo"}]}})


def turn(text: str, n: int) -> list:
    return [UserUttered(text, {"name": "greet", "confidence": 0.9}, timestamp=1000.0 + n),
            SlotSet("language", "nl", timestamp=1000.1 + n),
            ActionExecuted("utter_greet", timestamp=1000.2 + n),
            BotUttered("Hallo", {"elements": None}, timestamp=1000.3 + n),
            ActionExecuted("action_listen", timestamp=1000.4 + n)]


async def play(store: SQLTrackerStore, sender: str, turns: int) -> None:
    tracker = await store.get_or_create_tracker(sender)
    for n in range(turns):
        tracker = await store.retrieve(sender) or tracker
        for event in turn(f"bericht {n}", n):
            tracker.update(event)
        await store.save(tracker)


def stored_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id").fetchall()


def without_creation_time(rows: list[tuple]) -> list[tuple]:
    """The first action_listen of a new conversation carries the clock time of its creation."""
    def strip(row: tuple) -> tuple:
        data = json.loads(row[5])
        if data["timestamp"] > 2000:  # the turns of play() are stamped 1000-1010
            return (*row[:2], None, *row[3:5], json.dumps({**data, "timestamp": None}))
        return row
    return [strip(r) for r in rows]


def test_the_store_writes_exactly_the_rows_rasas_store_writes(tmp_path: Path):
    ours = ResilientSQLTrackerStore(domain=STORE_DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"))
    rasas = SQLTrackerStore(domain=STORE_DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    for store in (ours, rasas):
        asyncio.run(play(store, "gesprek-1", 4))
        asyncio.run(play(store, "gesprek-2", 2))
    assert without_creation_time(stored_rows(tmp_path / "ours.db")) == without_creation_time(stored_rows(tmp_path / "rasa.db"))
    assert len(stored_rows(tmp_path / "ours.db")) == 1 + 4 * 5 + 1 + 2 * 5


def test_a_retrieved_tracker_is_saved_without_counting_the_stored_events_first(tmp_path: Path):
    import sqlalchemy as sa

    store = ResilientSQLTrackerStore(domain=STORE_DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"), cache_size=0)
    asyncio.run(play(store, "gesprek-1", 2))
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda conn, cur, stmt, *a: statements.append(stmt))

    async def one_turn():
        tracker = await store.retrieve("gesprek-1")
        for event in turn("nog een vraag", 9):
            tracker.update(event)
        await store.save(tracker)
        return tracker

    tracker = asyncio.run(one_turn())
    assert not [s for s in statements if "count(" in s.lower()]
    assert [s.split()[0].upper() for s in statements] == ["SELECT", "INSERT"]
    restored = asyncio.run(store.retrieve("gesprek-1"))
    assert [e.as_dict() for e in restored.events] == [e.as_dict() for e in tracker.events]


def test_a_tracker_that_did_not_come_from_the_store_is_saved_after_counting(tmp_path: Path):
    store = ResilientSQLTrackerStore(domain=STORE_DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    asyncio.run(play(store, "gesprek-1", 1))
    rebuilt = DialogueStateTracker.from_events("gesprek-1", list(asyncio.run(store.retrieve("gesprek-1")).events), STORE_DOMAIN.slots)
    for event in turn("tweede", 2):
        rebuilt.update(event)
    asyncio.run(store.save(rebuilt))
    assert len(stored_rows(tmp_path / "t.db")) == 1 + 5 + 5  # no event stored twice


def test_only_the_latest_session_is_retrieved_and_saving_after_a_new_session_adds_only_new_events(tmp_path: Path):
    store = ResilientSQLTrackerStore(domain=STORE_DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    asyncio.run(play(store, "gesprek-1", 2))

    later = time.time() + 3600  # after the conversation's creation, which is stamped with the clock

    async def new_session():
        tracker = await store.retrieve("gesprek-1")
        tracker.update(ActionExecuted("action_session_start", timestamp=later))
        tracker.update(SessionStarted(timestamp=later + 0.1))
        tracker.update(ActionExecuted("action_listen", timestamp=later + 0.2))
        await store.save(tracker)

    asyncio.run(new_session())
    assert len(stored_rows(tmp_path / "t.db")) == 1 + 2 * 5 + 3
    latest = asyncio.run(store.retrieve("gesprek-1"))
    assert [e.type_name for e in latest.events] == ["session_started", "action"]


def test_the_sqlite_tracker_file_runs_in_wal_mode(tmp_path: Path):
    store = ResilientSQLTrackerStore(domain=STORE_DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    asyncio.run(play(store, "gesprek-1", 1))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert json.loads(stored_rows(tmp_path / "t.db")[-1][-1])["event"] == "action"


# -- the in-memory copy of recent trackers ------------------------------------------------------
def new_store(path: Path) -> ResilientSQLTrackerStore:
    return ResilientSQLTrackerStore(domain=STORE_DOMAIN, dialect="sqlite", db=str(path))


def add_turn(store: ResilientSQLTrackerStore, sender: str, text: str, n: int, save: bool = True) -> DialogueStateTracker:
    async def run():
        tracker = await store.retrieve(sender)
        for event in turn(text, n):
            tracker.update(event)
        if save:
            await store.save(tracker)
        return tracker
    return asyncio.run(run())


def user_texts(tracker: DialogueStateTracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_the_next_turn_gets_the_saved_tracker_back_after_one_small_query(tmp_path: Path):
    import sqlalchemy as sa

    store = new_store(tmp_path / "t.db")
    asyncio.run(play(store, "gesprek-1", 2))
    saved = add_turn(store, "gesprek-1", "derde vraag", 3)
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda conn, cur, stmt, *a: statements.append(stmt))
    again = asyncio.run(store.retrieve("gesprek-1"))
    assert again is saved
    assert len(statements) == 1 and "count(" in statements[0].lower() and "max(" in statements[0].lower()


def test_a_turn_that_failed_before_saving_leaves_nothing_behind_for_the_next_turn(tmp_path: Path):
    store = new_store(tmp_path / "t.db")
    asyncio.run(play(store, "gesprek-1", 1))
    add_turn(store, "gesprek-1", "niet bewaard", 5, save=False)
    assert user_texts(asyncio.run(store.retrieve("gesprek-1"))) == ["bericht 0"]


def test_a_turn_served_by_another_engine_is_read_from_the_database(tmp_path: Path):
    engine_a, engine_b = new_store(tmp_path / "t.db"), new_store(tmp_path / "t.db")
    asyncio.run(play(engine_a, "gesprek-1", 1))
    add_turn(engine_b, "gesprek-1", "via engine b", 2)
    assert user_texts(asyncio.run(engine_a.retrieve("gesprek-1"))) == ["bericht 0", "via engine b"]


def test_a_conversation_deleted_in_the_database_is_not_served_from_memory(tmp_path: Path):
    store = new_store(tmp_path / "t.db")
    asyncio.run(play(store, "gesprek-1", 2))
    with sqlite3.connect(tmp_path / "t.db") as db:  # what "verwijder mijn gegevens" does in the gateway
        db.execute("DELETE FROM events WHERE sender_id = 'gesprek-1'")
    assert asyncio.run(store.retrieve("gesprek-1")) is None


def test_only_the_most_recent_conversations_are_kept_in_memory(tmp_path: Path):
    store = ResilientSQLTrackerStore(domain=STORE_DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"), cache_size=2)
    for sender in ("a", "b", "c"):
        asyncio.run(play(store, sender, 1))
    assert list(store._recent) == ["b", "c"]
    assert user_texts(asyncio.run(store.retrieve("a"))) == ["bericht 0"]  # read from the database


# -- event classes looked up by name ---------------------------------------------------------------
def test_every_event_name_resolves_to_the_class_rasa_finds():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    rasas = Event.resolve_by_type.__wrapped__
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "slot", "action", "active_loop", "pause"} <= names
    for name in sorted(names):
        assert Event.resolve_by_type(name) is rasas(name), name


def test_unknown_event_names_get_rasas_answers():
    from rasa.shared.core.events import Event, SlotSet

    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_an_event_class_defined_later_is_found_by_its_name():
    from rasa.shared.core.events import Event, SlotSet

    assert Event.resolve_by_type("slot") is SlotSet  # the table is built now

    class WegwijsTestEvent(SlotSet):
        type_name = "wegwijs_test_event"

    assert Event.resolve_by_type("wegwijs_test_event") is WegwijsTestEvent
    assert Event.resolve_by_type("slot") is SlotSet  # the old names still resolve


def test_an_action_answer_is_read_back_into_the_same_events():
    from rasa.shared.core import events

    answer = [SlotSet("pip_date", "2025-05-12").as_dict(), BotUttered("Uw termijn", {"custom": {"a": 1}}).as_dict(),
              ActionExecuted("action_listen").as_dict(), UserUttered("hallo", {"name": "greet"}).as_dict()]
    read = events.deserialise_events(answer)
    assert [e.as_dict() for e in read] == answer
