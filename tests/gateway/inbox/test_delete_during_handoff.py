"""Review finding 4: "delete my data" works while a ticket is open. The privacy command and
the confirmation buttons reach the bot (resumed first: a handoff pauses its tracker); deleting
erases the conversation, closes the ticket and leaves the consultant an event without content."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gateway.core.models import Message
from gateway.inbox.models import Note, Ticket, TicketEvent
from gateway.inbox.service import RESUME_EVENTS
from knowledge.texts import text
from tests.support.inbox import Gateway, add_consultant, chat, hand_off, login, scripted_reply


def bot_with_delete(body: dict[str, Any]) -> list[dict[str, Any]]:
    sender, message = body["sender"], body["message"].strip()
    if message == "/delete_my_data":
        return [{
            "recipient_id": sender, "text": "Wilt u dat ik alles verwijder wat ik van u heb bewaard?",
            "buttons": [{"title": "Ja, verwijder alles", "payload": "/affirm"}, {"title": "Nee, bewaar het", "payload": "/deny"}],
        }]
    if message == "/affirm":
        return [{"recipient_id": sender, "custom": {"wegwijs": {"type": "delete_my_data", "lang": "nl"}}}]
    if message == "/deny":
        return [{"recipient_id": sender, "text": "Goed, ik verwijder niets."}]
    return scripted_reply(body)


async def open_ticket(gateway: Gateway) -> str:
    gateway.fake.reply = bot_with_delete
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    csrf = await login(gateway.client)
    await gateway.client.post("/inbox/api/tickets/1/claim", headers={"X-CSRF-Token": csrf})
    await gateway.client.post("/inbox/api/tickets/1/notes", json={"text": "Belt morgen terug"}, headers={"X-CSRF-Token": csrf})
    await chat(gateway.client, "Mijn adres is Dorpsstraat 1")
    return csrf


def engine_calls(gateway: Gateway) -> list[Any]:
    return [r.body if r.path.endswith("/events") else r.body["message"] for r in gateway.fake.requests
            if r.path.endswith(("/events", "/webhook"))]


async def test_delete_my_data_during_an_open_ticket_erases_closes_and_tells_the_consultant(gateway: Gateway) -> None:
    await open_ticket(gateway)
    before = len(engine_calls(gateway))

    question = await chat(gateway.client, "/delete_my_data")
    assert any("verwijder" in (m.get("text") or "") for m in question)
    done = await chat(gateway.client, "/affirm")
    assert [m["text"] for m in done] == [text("gateway.data_deleted", "nl")]

    calls = engine_calls(gateway)[before:]
    assert RESUME_EVENTS in calls and "/delete_my_data" in calls and "/affirm" in calls
    assert calls.index(RESUME_EVENTS) < calls.index("/delete_my_data")

    with gateway.db() as session:
        texts = [m.text for m in session.scalars(select(Message))]
        assert "Mijn adres is Dorpsstraat 1" not in texts and "Wat is een PIP?" not in texts
        assert session.scalars(select(Note)).all() == []
        ticket = session.get(Ticket, 1)
        assert ticket is not None and ticket.state == "closed" and ticket.close_reason == "data_deleted"
        assert not ticket.summary and not ticket.slots and ticket.resume_pending is False
        events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == 1)).all()
        assert [(e.kind, e.data) for e in events] == [("data_deleted", {})]

    detail = (await gateway.client.get("/inbox/api/tickets/1")).json()
    labels = [item["text"] for item in detail["timeline"]]
    assert labels == [text("inbox.event_data_deleted", "nl")]
    assert "Dorpsstraat" not in str(detail)
    # the user talks to the bot again
    await chat(gateway.client, "Wat is een PIP?")
    assert gateway.fake.messages[-1].body["message"] == "Wat is een PIP?"


async def test_telegram_verwijder_arrives_as_the_same_command(gateway: Gateway) -> None:
    from channels.telegram.mapping import SERVICE_COMMANDS

    assert SERVICE_COMMANDS["verwijder"] == "/delete_my_data"


async def test_saying_no_keeps_the_ticket_open_with_the_consultant(gateway: Gateway) -> None:
    await open_ticket(gateway)
    await chat(gateway.client, "/delete_my_data")
    kept = await chat(gateway.client, "/deny")
    assert [m["text"] for m in kept] == ["Goed, ik verwijder niets."]
    sent = len(gateway.fake.messages)
    await chat(gateway.client, "Nog een vraag voor de regievoerder")
    assert len(gateway.fake.messages) == sent  # absorbed again: the ticket is still open
    with gateway.db() as session:
        assert session.get(Ticket, 1).state == "assigned"


async def test_a_confirmation_payload_without_a_privacy_request_stays_with_the_consultant(gateway: Gateway) -> None:
    await open_ticket(gateway)
    sent = len(gateway.fake.messages)
    assert await chat(gateway.client, "/affirm") == []
    assert len(gateway.fake.messages) == sent
    with gateway.db() as session:
        assert session.get(Ticket, 1).state == "assigned"
