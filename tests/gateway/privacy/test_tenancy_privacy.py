"""Per municipality: the privacy statement's controller details and the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from gateway.core.models import Conversation, Message
from gateway.privacy.retention import run_retention
from knowledge.loader import load_municipality
from tests.support.trackers import add_tracker_events, tracker_senders

pytestmark = pytest.mark.asyncio
API = "/webchat/api/messages"
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("path", ["/privacy/rivierdam", "/privacy?municipality=rivierdam"])
async def test_the_privacy_page_names_the_municipalitys_controller_and_period(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    rivierdam = load_municipality("rivierdam")
    for value in rivierdam.privacy.values():
        assert value in response.text
    assert "60 dagen" in response.text  # bewaartermijn_dagen: 60
    assert load_municipality("voorbeeldstad").privacy["verwerkingsverantwoordelijke"] not in response.text
    assert 'href="/chat/rivierdam?lang=nl"' in response.text


async def test_a_municipality_without_its_own_period_gets_the_deployments(client: httpx.AsyncClient) -> None:
    response = await client.get("/privacy/heidebeek", params={"lang": "en"})
    assert load_municipality("heidebeek").privacy["verwerkingsverantwoordelijke"] in response.text
    assert load_municipality("heidebeek").bewaartermijn_dagen is None
    assert "90 days" in response.text  # WEGWIJS_RETENTION_DAYS
    assert (await client.get("/privacy/atlantis")).status_code == 404


async def chat_at(app: FastAPI, client: httpx.AsyncClient, session_id: str, municipality: str, when: datetime) -> str:
    await client.post(API, json={"session_id": session_id, "text": "hoi", "municipality": municipality})
    with app.state.session_factory() as session:
        conversation = session.scalars(select(Conversation).where(Conversation.channel_user_id == session_id)).one()
        conversation.created_at = conversation.last_user_message_at = when
        session.execute(update(Message).where(Message.conversation_id == conversation.id).values(created_at=when))
        session.commit()
        return conversation.id


async def test_each_municipality_s_conversations_are_deleted_after_its_own_period(
    app: FastAPI, client: httpx.AsyncClient, tracker_url: str
) -> None:
    assert app.state.settings.retention_days == 90
    idle = NOW - timedelta(days=61)
    rivierdam = await chat_at(app, client, "rivier-idle-61", "rivierdam", idle)  # 60 days: gone
    voorbeeldstad = await chat_at(app, client, "voorbeeld-idle-61", "voorbeeldstad", idle)  # 90 days: kept
    heidebeek = await chat_at(app, client, "heide-idle-61", "heidebeek", idle)  # the setting, 90: kept
    for conversation_id in (rivierdam, voorbeeldstad, heidebeek):
        add_tracker_events(tracker_url, conversation_id, [idle.timestamp()])

    report = run_retention(app.state.session_factory, app.state.settings, now=NOW)

    assert report.conversations == 1 and report.periods["rivierdam"] == 60
    with app.state.session_factory() as session:
        assert set(session.scalars(select(Conversation.id))) == {voorbeeldstad, heidebeek}
    assert sorted(tracker_senders(tracker_url)) == sorted([voorbeeldstad, heidebeek])


async def test_old_messages_of_an_active_conversation_go_after_its_municipalitys_period(
    app: FastAPI, client: httpx.AsyncClient, tracker_url: str
) -> None:
    cid = await chat_at(app, client, "rivier-active", "rivierdam", NOW - timedelta(days=70))
    keep = await chat_at(app, client, "voorbeeld-active", "voorbeeldstad", NOW - timedelta(days=70))
    add_tracker_events(tracker_url, cid, [(NOW - timedelta(days=70)).timestamp(), NOW.timestamp()])
    add_tracker_events(tracker_url, keep, [(NOW - timedelta(days=70)).timestamp()])
    with app.state.session_factory() as session:  # both still active today
        session.execute(update(Conversation).values(last_user_message_at=NOW))
        session.commit()
    run_retention(app.state.session_factory, app.state.settings, now=NOW)
    with app.state.session_factory() as session:
        left = {c: n for c, n in session.execute(select(Message.conversation_id, Message.id))}
    assert cid not in left and keep in left  # Rivierdam's 70-day-old messages are past its 60 days
    assert sorted(tracker_senders(tracker_url)) == sorted([cid, keep])  # only the old Rivierdam event went
