"""The one-open-ticket rule and the ticket flow on PostgreSQL (skipped without a test database)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gateway.core.config import Settings
from gateway.inbox.models import Ticket
from tests.support.fake_rasa import FakeRasa
from tests.support.inbox import add_consultant, chat, hand_off, login, make_settings, running, scripted_reply

POSTGRES_URL = os.environ.get("WEGWIJS_TEST_POSTGRES_URL")

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="set WEGWIJS_TEST_POSTGRES_URL=postgresql+psycopg://... to run"
)


@pytest.fixture
def pg_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, database_url=POSTGRES_URL)


async def test_tickets_work_on_postgresql_with_one_open_ticket_per_conversation(pg_settings: Settings) -> None:
    session_id = f"pg-{uuid.uuid4().hex[:12]}"
    email = f"{session_id}@voorbeeldstad.nl"
    async with running(pg_settings, FakeRasa(reply=scripted_reply)) as (app, client):
        add_consultant(app, email=email)
        await hand_off(client, session_id)
        await chat(client, "ja", session_id)  # a second handoff attempt is absorbed
        with app.state.session_factory() as session:
            [ticket] = session.scalars(select(Ticket).where(Ticket.channel_user_id == session_id)).all()
            ticket_id = ticket.id
            session.add(Ticket(
                conversation_id=ticket.conversation_id, state="waiting", reason="fallback", language="nl",
                channel="web", channel_user_id=session_id, slots={}, first_message_id=0,
                user_acknowledged=False, resume_pending=False,
            ))
            with pytest.raises(IntegrityError):
                session.commit()
        csrf = await login(client, email=email)
        close = await client.post(
            f"/inbox/api/tickets/{ticket_id}/close", json={"reason": "beantwoord"}, headers={"X-CSRF-Token": csrf}
        )
        assert close.status_code == 200
