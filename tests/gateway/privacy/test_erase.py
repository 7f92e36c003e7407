""""Verwijder mijn gegevens": nothing of that user is left in any table; other users are untouched."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect, select, text

from gateway.core.models import Conversation, Message, utcnow
from gateway.inbox.models import Consultant, Note, Ticket, TicketEvent
from gateway.privacy import delete_user_data
from gateway.reminders.models import Reminder
from tests.support.fake_rasa import FakeRasa
from tests.support.trackers import add_tracker_events, tracker_senders

pytestmark = pytest.mark.asyncio
API = "/webchat/api/messages"


def bot_deletes_on(fake: FakeRasa, trigger: str, lang: str = "nl") -> None:
    def reply(body: dict) -> list[dict]:
        if body["message"] == trigger:
            return [{"recipient_id": body["sender"], "custom": {"wegwijs": {"type": "delete_my_data", "lang": lang}}}]
        # the confirmation button: a payload is sent on only when the bot offered it (finding 6)
        return [{"recipient_id": body["sender"], "text": f"Antwoord op: {body['message']}",
                 "buttons": [{"title": "Ja, verwijder alles", "payload": trigger}]}]

    fake.reply = reply


def conversation_of(app: FastAPI, session_id: str) -> Conversation | None:
    with app.state.session_factory() as session:
        return session.scalars(select(Conversation).where(Conversation.channel_user_id == session_id)).one_or_none()


def give_user_history(app: FastAPI, conversation_id: str) -> None:
    """A ticket with events and a note, and a reminder, for this conversation."""
    now = utcnow()
    with app.state.session_factory() as session:
        consultant = session.scalars(select(Consultant)).first()
        if consultant is None:
            consultant = Consultant(email="sanne@gemeente.example", name="Sanne", password_hash="x")
            session.add(consultant)
            session.flush()
        ticket = Ticket(conversation_id=conversation_id, state="closed", reason="user_request", channel="web",
                        channel_user_id="x", summary="vraag over lessen", slots={"pip_date": "2024-05-12"})
        session.add(ticket)
        session.flush()
        session.add(TicketEvent(ticket_id=ticket.id, actor="user", kind="created", data={}))
        session.add(Note(ticket_id=ticket.id, consultant_id=consultant.id, text="belt morgen terug"))
        session.add(Reminder(conversation_id=conversation_id, kind="termijn_end_6m", due_date=date(2027, 5, 12),
                             send_at=now + timedelta(days=100), next_attempt_at=now + timedelta(days=100),
                             text_key="termijn_end_6m", lang="nl", status="scheduled", attempts=0))
        session.commit()


def rows_mentioning(app: FastAPI, conversation_id: str, channel_user_id: str) -> dict[str, int]:
    """Rows in ANY table of the gateway database that contain the conversation or user id."""
    found: dict[str, int] = {}
    with app.state.db_engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                values = " ".join(str(v) for v in row)
                if conversation_id in values or channel_user_id in values:
                    found[table] = found.get(table, 0) + 1
    return found


async def test_after_confirmation_nothing_of_the_user_remains_in_any_table_or_the_tracker(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, tracker_url: str
) -> None:
    bot_deletes_on(fake_rasa, "/affirm")
    for session_id in ("user-a-session-1", "user-b-session-1"):
        await client.post(API, json={"session_id": session_id, "text": "mijn PIP was op 12 mei 2024, bel 06-12345678"})
    a, b = conversation_of(app, "user-a-session-1"), conversation_of(app, "user-b-session-1")
    assert a is not None and b is not None
    for conversation in (a, b):
        give_user_history(app, conversation.id)
        add_tracker_events(tracker_url, conversation.id, [1.0, 2.0, 3.0])
    before_b = rows_mentioning(app, b.id, "user-b-session-1")

    replies = (await client.post(API, json={"session_id": "user-a-session-1", "text": "/affirm"})).json()["messages"]

    assert replies[-1]["text"] == "Uw gegevens zijn verwijderd."
    # Only the fresh, empty conversation is left: the confirmation and nothing from before.
    with app.state.session_factory() as session:
        assert [m.text for m in session.scalars(select(Message).where(Message.conversation_id == a.id))] == [
            "Uw gegevens zijn verwijderd."
        ]
        assert session.scalars(select(Ticket).where(Ticket.conversation_id == a.id)).all() == []
        assert session.scalars(select(Reminder).where(Reminder.conversation_id == a.id)).all() == []
    remaining = rows_mentioning(app, a.id, "user-a-session-1")
    assert remaining == {"conversations": 1, "messages": 1}
    assert tracker_senders(tracker_url) == [b.id] * 3
    # user B is untouched
    assert rows_mentioning(app, b.id, "user-b-session-1") == before_b
    with app.state.session_factory() as session:
        assert session.scalars(select(Note)).one().text == "belt morgen terug"
        assert len(session.scalars(select(TicketEvent)).all()) == 1


async def test_the_confirmation_is_in_english_for_an_english_user(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_deletes_on(fake_rasa, "/affirm", lang="en")
    await client.post(API, json={"session_id": "user-en-session", "text": "hello"})
    replies = (await client.post(API, json={"session_id": "user-en-session", "text": "/affirm"})).json()["messages"]
    assert replies[-1]["text"] == "Your data has been deleted."


async def test_delete_user_data_removes_everything_of_the_conversation_and_leaves_no_row(
    app: FastAPI, client: httpx.AsyncClient, tracker_url: str
) -> None:
    await client.post(API, json={"session_id": "telegram-like-user", "text": "hoi"})
    conversation = conversation_of(app, "telegram-like-user")
    assert conversation is not None
    give_user_history(app, conversation.id)
    add_tracker_events(tracker_url, conversation.id, [1.0])
    with app.state.session_factory() as session:
        report = delete_user_data(session, conversation.id)
    assert report.rows["messages"] == 2 and report.rows["reminders"] == 1 and report.rows["inbox_tickets"] == 1
    assert report.rows["inbox_ticket_events"] == 1 and report.rows["inbox_notes"] == 1
    assert report.tracker_events == 1
    assert rows_mentioning(app, conversation.id, "telegram-like-user") == {}
    assert tracker_senders(tracker_url) == []


async def test_without_a_tracker_store_the_gateway_data_is_still_deleted(app: FastAPI, client: httpx.AsyncClient) -> None:
    await client.post(API, json={"session_id": "no-tracker-user", "text": "hoi"})
    conversation = conversation_of(app, "no-tracker-user")
    assert conversation is not None
    with app.state.session_factory() as session:
        report = delete_user_data(session, conversation.id, tracker_url=None)
    assert report.tracker_events is None and not report.complete and report.queued
    # only the queued tracker erasure still names the conversation (retried until it succeeds)
    assert rows_mentioning(app, conversation.id, "no-tracker-user") == {"privacy_pending_erasures": 1}
