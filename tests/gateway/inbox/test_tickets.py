"""Tickets from the bot's handoff payload, and a quiet bot while a person owns the conversation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from gateway.core.conversation import ConversationRef, InboundMessage, PayloadContext
from gateway.core.models import Conversation, Message
from gateway.inbox.crud import transcript
from gateway.inbox.models import Ticket, TicketEvent
from tests.support.inbox import Gateway, chat, hand_off, handoff_payload


def tickets(gateway: Gateway) -> list[Ticket]:
    with gateway.db() as session:
        return list(session.scalars(select(Ticket)))


@contextmanager
def sql_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends to the database inside the block."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def inbound_for(gateway: Gateway, session_id: str = "user-session-0001") -> InboundMessage:
    """A user turn on the web conversation of `session_id` (which must exist), as interceptors see it."""
    with gateway.db() as session:
        c = session.scalars(select(Conversation).where(Conversation.channel_user_id == session_id)).one()
        message_id = session.scalar(select(func.max(Message.id)).where(Message.conversation_id == c.id))
        ref = ConversationRef(c.id, c.channel, c.channel_user_id, c.language)
    return InboundMessage(conversation=ref, text="Wat is een PIP?", message_id=message_id)


async def test_consent_creates_a_waiting_ticket_with_context_and_transcript(gateway: Gateway) -> None:
    replies = await hand_off(gateway.client)

    [ticket] = tickets(gateway)
    assert ticket.state == "waiting"
    assert ticket.reason == "user_request"
    assert ticket.language == "nl"
    assert ticket.channel == "web"
    assert ticket.channel_user_id == "user-session-0001"
    assert ticket.slots == {"pip_date": "2025-03-01", "decision_date": "2024-11-15"}
    assert ticket.summary == "Wil weten of de termijn verlengd kan worden."
    assert ticket.consent_at == datetime(2026, 11, 20, 10, 15, tzinfo=timezone.utc)
    assert any("regievoerder" in (m["text"] or "") for m in replies), replies

    with gateway.db() as session:
        texts = [m.text for m in transcript(session=session, ticket=session.get(Ticket, ticket.id))]
        created = session.scalars(select(TicketEvent).where(TicketEvent.kind == "created")).one()
    assert texts[:3] == ["Wat is een PIP?", "Een PIP is uw persoonlijk plan inburgering en participatie.", "ik wil een mens"]
    assert "ja" in texts
    assert created.actor == "user"
    assert created.data["consent_at"] == "2026-11-20T10:15:00+00:00"


async def test_a_second_handoff_while_one_is_open_returns_the_same_ticket(gateway: Gateway) -> None:
    await hand_off(gateway.client)
    [ticket] = tickets(gateway)
    handoff = gateway.app.state.handoff

    again = handoff.create_ticket(
        conversation_id=ticket.conversation_id, reason="fallback", language="nl",
        consent_at=datetime.now(timezone.utc), slots={}, summary=None,
    )
    ref = ConversationRef(ticket.conversation_id, "web", "user-session-0001", "nl")
    messages = await handoff.handle_handoff_payload(
        PayloadContext(service=gateway.app.state.conversations, conversation=ref), handoff_payload()["wegwijs"]
    )

    assert again == (ticket.id, False)
    assert messages == []
    assert len(tickets(gateway)) == 1
    with gateway.db() as session:
        assert session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.kind == "created")) == 1


async def test_the_database_refuses_a_second_open_ticket_for_a_conversation(gateway: Gateway) -> None:
    await hand_off(gateway.client)
    [ticket] = tickets(gateway)
    with gateway.db() as session:
        session.add(Ticket(
            conversation_id=ticket.conversation_id, state="assigned", reason="fallback", language="nl",
            channel="web", channel_user_id="x", slots={}, first_message_id=0,
            user_acknowledged=False, resume_pending=False,
        ))
        with pytest.raises(IntegrityError):
            session.commit()


async def test_a_closed_ticket_does_not_block_a_new_handoff(gateway: Gateway) -> None:
    await hand_off(gateway.client)
    [first] = tickets(gateway)
    with gateway.db() as session:
        session.get(Ticket, first.id).state = "closed"
        session.commit()

    await chat(gateway.client, "ja")  # the bot sends the handoff payload again

    assert [t.state for t in tickets(gateway)] == ["closed", "waiting"]


async def test_the_bot_is_not_asked_while_a_ticket_is_open(gateway: Gateway) -> None:
    await hand_off(gateway.client)
    calls = len(gateway.fake.messages)

    first = await chat(gateway.client, "Hallo, is daar iemand?")
    second = await chat(gateway.client, "Ik wacht nog even.")

    assert len(gateway.fake.messages) == calls
    assert [m["text"] for m in first] == ["Uw bericht is doorgestuurd naar de regievoerder."]
    assert second == []
    with gateway.db() as session:
        events = session.scalars(select(TicketEvent).where(TicketEvent.kind == "message")).all()
        bodies = [session.get(Message, e.data["message_id"]).text for e in events]
    assert [e.actor for e in events] == ["user", "user"]
    assert bodies == ["Hallo, is daar iemand?", "Ik wacht nog even."]


async def test_refusing_consent_shares_nothing(gateway: Gateway) -> None:
    await chat(gateway.client, "ik wil een mens")
    replies = await chat(gateway.client, "nee")

    assert tickets(gateway) == []
    assert "ik deel niets" in replies[0]["text"]
    calls = len(gateway.fake.messages)
    await chat(gateway.client, "Wat is een PIP?")
    assert len(gateway.fake.messages) == calls + 1  # the bot keeps answering


async def test_a_handoff_payload_without_a_consent_time_stores_nothing(gateway: Gateway) -> None:
    gateway.fake.reply = lambda body: [{"recipient_id": body["sender"], "custom": handoff_payload(consent_at=None)}]

    replies = await chat(gateway.client, "ja")

    assert tickets(gateway) == []
    assert replies[0]["text"].startswith("Ik heb niets doorgestuurd")


async def test_an_unknown_reason_is_stored_as_user_request_and_a_topic_reason_is_kept(gateway: Gateway) -> None:
    gateway.fake.reply = lambda body: [
        {"recipient_id": body["sender"], "custom": handoff_payload(reason=body["message"], lang="en")}
    ]
    await chat(gateway.client, "<script>", session_id="user-session-aaaa")
    await chat(gateway.client, "topic:niet_kunnen_betalen", session_id="user-session-bbbb")

    assert sorted((t.reason, t.language) for t in tickets(gateway)) == [
        ("topic:niet_kunnen_betalen", "en"), ("user_request", "en")
    ]


async def test_a_turn_without_any_ticket_asks_the_database_about_tickets_only_once(gateway: Gateway) -> None:
    await chat(gateway.client, "Hallo")  # the conversation exists; it never had a ticket

    with sql_statements(gateway.app.state.db_engine) as statements:
        replies = await chat(gateway.client, "Wat is een PIP?")

    assert replies[0]["text"].startswith("Een PIP is")  # the bot answered
    assert len([s for s in statements if "inbox_tickets" in s]) == 1, statements


async def test_the_handoff_interceptor_costs_one_sql_statement_when_no_ticket_is_open(gateway: Gateway) -> None:
    await chat(gateway.client, "Hallo")
    handoff = gateway.app.state.handoff
    inbound = inbound_for(gateway)

    with sql_statements(gateway.app.state.db_engine) as without_ticket:
        assert await handoff.intercept(inbound) is None
    await hand_off(gateway.client)
    with gateway.db() as session:
        session.get(Ticket, 1).state = "closed"
        session.commit()
    with sql_statements(gateway.app.state.db_engine) as after_close:
        assert await handoff.intercept(inbound) is None

    assert len(without_ticket) == 1, without_ticket
    assert len(after_close) == 1, after_close


async def test_an_open_ticket_absorbs_the_turn_even_when_an_older_ticket_still_waits_for_its_resume(
    gateway: Gateway,
) -> None:
    await hand_off(gateway.client)
    with gateway.db() as session:
        first = session.get(Ticket, 1)
        first.state, first.resume_pending = "closed", True
        session.add(Ticket(
            conversation_id=first.conversation_id, state="waiting", reason="fallback", language="nl",
            channel="web", channel_user_id="user-session-0001", slots={}, first_message_id=0,
            user_acknowledged=False, resume_pending=False,
        ))
        session.commit()
    calls = len(gateway.fake.requests)

    replies = await chat(gateway.client, "Hallo, is daar iemand?")

    assert [m["text"] for m in replies] == ["Uw bericht is doorgestuurd naar de regievoerder."]
    assert len(gateway.fake.requests) == calls  # neither the resume nor the bot
    with gateway.db() as session:
        assert session.get(Ticket, 1).resume_pending is True
        assert session.get(Ticket, 2).user_acknowledged is True


async def test_only_the_newest_closed_ticket_decides_whether_a_turn_retries_a_resume(gateway: Gateway) -> None:
    await hand_off(gateway.client)
    with gateway.db() as session:
        first = session.get(Ticket, 1)
        first.state, first.resume_pending = "closed", False
        session.commit()
    await chat(gateway.client, "ja")  # a second handoff: ticket 2
    with gateway.db() as session:
        session.get(Ticket, 1).resume_pending = True  # older, still waiting for its resume
        session.get(Ticket, 2).state = "closed"  # newest, resumed
        session.commit()
    calls = len(gateway.fake.requests)

    replies = await chat(gateway.client, "Wat is een PIP?")

    assert replies[0]["text"].startswith("Een PIP is")
    # the engine is asked, and no resume is sent on this turn
    assert [r.path for r in gateway.fake.requests[calls:]] == ["/webhooks/rest/webhook"]
