"""Review finding 1: "delete my data" never reports success while the tracker is kept. When the
tracker part fails, the user is told it is not complete and the erasure is queued and retried
until it succeeds; retention does not skip the tracker silently. Finding 8: after the erase the
engine's further replies of that turn (a fallback "Sorry, ...") are not shown."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from gateway.core.models import Conversation
from gateway.privacy import erase
from gateway.privacy.retention import run_retention
from knowledge.texts import text
from tests.support.fake_rasa import FakeRasa
from tests.support.trackers import add_tracker_events, make_tracker_db, tracker_senders

pytestmark = pytest.mark.asyncio
API = "/webchat/api/messages"
SESSION = "erase-later-user-1"


def bot_deletes(fake: FakeRasa, *, then: str | None = None) -> None:
    def reply(body: dict) -> list[dict]:
        if body["message"] == "/affirm":
            replies = [{"recipient_id": body["sender"], "custom": {"wegwijs": {"type": "delete_my_data", "lang": "nl"}}}]
            if then:
                replies.append({"recipient_id": body["sender"], "text": then})
            return replies
        return [{"recipient_id": body["sender"], "text": "Alles verwijderen?",
                 "buttons": [{"title": "Ja", "payload": "/affirm"}]}]

    fake.reply = reply


def conversation_id(app: FastAPI) -> str:
    with app.state.session_factory() as session:
        return session.scalars(select(Conversation.id).where(Conversation.channel_user_id == SESSION)).one()


def pending(app: FastAPI) -> list[erase.PendingErasure]:
    with app.state.session_factory() as session:
        erase.ensure_pending_table(session.get_bind())
        return list(session.scalars(select(erase.PendingErasure)))


async def test_an_unreachable_tracker_store_is_reported_queued_and_retried_until_done(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, tracker_url: str, tmp_path: Path
) -> None:
    bot_deletes(fake_rasa)
    await client.post(API, json={"session_id": SESSION, "text": "verwijder mijn gegevens"})
    cid = conversation_id(app)
    add_tracker_events(tracker_url, cid, [1.0, 2.0])
    missing = f"sqlite:///{tmp_path / 'not-there' / 'trackers.db'}"  # the tracker store is down
    erase._configured_tracker_url = missing

    replies = (await client.post(API, json={"session_id": SESSION, "text": "/affirm"})).json()["messages"]

    assert [m["text"] for m in replies] == [text("gateway.data_deletion_incomplete", "nl")]
    assert text("gateway.data_deleted", "nl") not in str(replies)
    [queued] = pending(app)
    assert queued.sender_id == cid and queued.attempts == 1 and queued.last_error
    assert tracker_senders(tracker_url) == [cid, cid]  # still there

    # the background job: still down -> stays queued; back up -> done and dequeued
    assert erase.retry_pending_erasures(app.state.session_factory, missing) == (0, 1)
    add_tracker_events(tracker_url, cid, [9e12])  # the user chats again after the request: kept
    assert erase.retry_pending_erasures(app.state.session_factory, tracker_url) == (1, 0)
    assert tracker_senders(tracker_url) == [cid] and pending(app) == []


async def test_no_events_table_is_not_complete_either(app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, tmp_path: Path) -> None:
    bot_deletes(fake_rasa)
    empty = tmp_path / "empty.db"
    import sqlite3

    sqlite3.connect(empty).close()
    erase._configured_tracker_url = f"sqlite:///{empty}"
    await client.post(API, json={"session_id": SESSION, "text": "verwijder"})
    replies = (await client.post(API, json={"session_id": SESSION, "text": "/affirm"})).json()["messages"]
    assert replies[-1]["text"] == text("gateway.data_deletion_incomplete", "nl")
    assert len(pending(app)) == 1


async def test_a_complete_erase_says_so_and_the_engines_later_replies_of_that_turn_are_not_shown(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, tracker_url: str
) -> None:
    bot_deletes(fake_rasa, then="Sorry, dat begrijp ik niet goed.")
    await client.post(API, json={"session_id": SESSION, "text": "verwijder"})
    replies = (await client.post(API, json={"session_id": SESSION, "text": "/affirm"})).json()["messages"]
    assert [m["text"] for m in replies] == [text("gateway.data_deleted", "nl")]
    history = (await client.get(API, params={"session_id": SESSION})).json()["messages"]
    assert [m["text"] for m in history] == [text("gateway.data_deleted", "nl")]
    assert pending(app) == []


async def test_retention_does_not_skip_the_tracker_silently(
    app: FastAPI, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    settings = app.state.settings
    with caplog.at_level(logging.ERROR):
        report = run_retention(app.state.session_factory, settings, tracker_url=None)
    assert report.tracker_complete is False and "not configured" in (report.tracker_error or "")
    assert report.as_dict()["tracker_complete"] is False
    assert any("tracker events NOT deleted" in r.getMessage() for r in caplog.records)
    url = make_tracker_db(tmp_path / "t2.db")
    assert run_retention(app.state.session_factory, settings, tracker_url=url).tracker_complete
