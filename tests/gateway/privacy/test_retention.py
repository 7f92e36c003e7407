"""Retention: data idle longer than retention_days is deleted; fixed clocks (`now` passed in)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from gateway.core.models import Conversation, Message
from gateway.privacy.retention import run_retention
from gateway.reminders.models import Reminder
from tests.support.trackers import add_tracker_events, tracker_senders

API = "/webchat/api/messages"
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)


async def chat_at(app: FastAPI, client: httpx.AsyncClient, session_id: str, when: datetime) -> str:
    await client.post(API, json={"session_id": session_id, "text": "hoi"})
    with app.state.session_factory() as session:
        conversation = session.scalars(select(Conversation).where(Conversation.channel_user_id == session_id)).one()
        conversation.created_at = conversation.last_user_message_at = when
        session.execute(update(Message).where(Message.conversation_id == conversation.id).values(created_at=when))
        session.commit()
        return conversation.id


def conversation_ids(app: FastAPI) -> set[str]:
    with app.state.session_factory() as session:
        return set(session.scalars(select(Conversation.id)))


@pytest.mark.asyncio
async def test_a_conversation_idle_longer_than_the_retention_period_is_deleted_with_its_tracker(
    app: FastAPI, client: httpx.AsyncClient, tracker_url: str
) -> None:
    old = await chat_at(app, client, "old-user", NOW - timedelta(days=91))
    recent = await chat_at(app, client, "recent-user", NOW - timedelta(days=89))
    add_tracker_events(tracker_url, old, [(NOW - timedelta(days=91)).timestamp()])
    add_tracker_events(tracker_url, recent, [(NOW - timedelta(days=89)).timestamp()])

    report = run_retention(app.state.session_factory, app.state.settings, now=NOW)

    assert report.conversations == 1 and report.rows["messages"] == 2
    assert conversation_ids(app) == {recent}
    assert tracker_senders(tracker_url) == [recent]


@pytest.mark.asyncio
async def test_a_dry_run_counts_but_deletes_nothing(app: FastAPI, client: httpx.AsyncClient, tracker_url: str) -> None:
    old = await chat_at(app, client, "old-user", NOW - timedelta(days=200))
    add_tracker_events(tracker_url, old, [1.0, 2.0])
    report = run_retention(app.state.session_factory, app.state.settings, now=NOW, dry_run=True)
    assert (report.conversations, report.rows["messages"], report.tracker_events) == (1, 2, 2)
    assert conversation_ids(app) == {old}
    assert tracker_senders(tracker_url) == [old, old]


@pytest.mark.asyncio
async def test_a_scheduled_reminder_keeps_its_conversation_until_it_is_sent(app: FastAPI, client: httpx.AsyncClient) -> None:
    old = await chat_at(app, client, "reminder-user", NOW - timedelta(days=300))
    with app.state.session_factory() as session:
        later = NOW + timedelta(days=30)
        session.add(Reminder(conversation_id=old, kind="verlenging_earliest", due_date=date(2027, 3, 31), send_at=later,
                             next_attempt_at=later, text_key="verlenging_earliest", lang="nl", status="scheduled",
                             attempts=0, created_at=NOW - timedelta(days=300)))
        session.commit()
    run_retention(app.state.session_factory, app.state.settings, now=NOW)
    assert conversation_ids(app) == {old}
    run_retention(app.state.session_factory, app.state.settings, now=NOW + timedelta(days=30 + 91))
    assert conversation_ids(app) == set()


@pytest.mark.asyncio
async def test_old_messages_of_an_active_conversation_are_deleted_and_new_ones_kept(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cid = await chat_at(app, client, "long-user", NOW - timedelta(days=120))
    await client.post(API, json={"session_id": "long-user", "text": "nog een vraag"})
    with app.state.session_factory() as session:
        session.execute(update(Conversation).where(Conversation.id == cid).values(last_user_message_at=NOW))
        session.execute(update(Message).where(Message.text.in_(["nog een vraag", "Antwoord op: nog een vraag"])).values(created_at=NOW))
        session.commit()
    run_retention(app.state.session_factory, app.state.settings, now=NOW)
    with app.state.session_factory() as session:
        assert [m.text for m in session.scalars(select(Message).order_by(Message.id))] == [
            "nog een vraag",
            "Antwoord op: nog een vraag",
        ]


def test_the_cli_runs_retention_as_a_dry_run(tmp_path: Path) -> None:
    env = {**os.environ, "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "WEGWIJS_RETENTION_DAYS": "30",
           "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    result = subprocess.run(
        [sys.executable, "-m", "gateway.privacy", "retention", "--dry-run"],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert '"dry_run": true' in result.stdout and '"conversations": 0' in result.stdout
