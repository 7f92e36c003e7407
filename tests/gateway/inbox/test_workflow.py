"""Claim, reply, note and close: the state machine, who did what when, and the way back to the bot."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from gateway.inbox.models import Note, Ticket, TicketEvent
from gateway.inbox.service import RESUME_EVENTS
from tests.support.fake_rasa import FakeRasa
from tests.support.inbox import (
    Gateway,
    add_consultant,
    chat,
    hand_off,
    login,
    make_settings,
    running,
    scripted_reply,
)


async def poll_chat(gateway: Gateway, session_id: str = "user-session-0001") -> list[dict]:
    response = await gateway.client.get("/webchat/api/messages", params={"session_id": session_id})
    return response.json()["messages"]


def ticket_events(gateway: Gateway, ticket_id: int = 1) -> list[tuple[str, str]]:
    with gateway.db() as session:
        rows = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))
        return [(e.kind, e.actor) for e in rows]


async def test_claim_reply_note_close_move_the_ticket_and_record_who_and_when(gateway: Gateway) -> None:
    anna = add_consultant(gateway.app)
    await hand_off(gateway.client)
    await chat(gateway.client, "Ik heb geen geld voor de lessen.")
    csrf = await login(gateway.client)
    headers = {"X-CSRF-Token": csrf}

    assert (await gateway.client.post("/inbox/api/tickets/1/claim", headers=headers)).status_code == 200
    reply = await gateway.client.post("/inbox/api/tickets/1/reply", json={"text": "Goedemiddag, ik help u."}, headers=headers)
    note = await gateway.client.post("/inbox/api/tickets/1/notes", json={"text": "Mogelijk lening DUO"}, headers=headers)
    await chat(gateway.client, "Dank u!")
    close = await gateway.client.post("/inbox/api/tickets/1/close", json={"reason": "beantwoord"}, headers=headers)

    assert (reply.status_code, note.status_code, close.status_code) == (200, 200, 200)
    with gateway.db() as session:
        ticket = session.get(Ticket, 1)
        assert ticket.state == "closed"
        assert ticket.assigned_to == anna
        assert ticket.close_reason == "beantwoord"
        assert ticket.created_at <= ticket.assigned_at <= ticket.first_human_reply_at <= ticket.closed_at
        assert ticket.resume_pending is False
        assert session.scalars(select(Note.text)).all() == ["Mogelijk lening DUO"]
    me = f"consultant:{anna}"
    assert ticket_events(gateway) == [
        ("created", "user"), ("message", "user"), ("assigned", me), ("message", me), ("note", me),
        ("message", "user"), ("closed", me), ("resumed", "system"),
    ]


async def test_the_user_sees_the_consultant_reply_but_never_the_internal_note(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    csrf = await login(gateway.client)

    await gateway.client.post("/inbox/tickets/1/reply", data={"text": "Ik bel u morgen.", "csrf_token": csrf})
    await gateway.client.post("/inbox/tickets/1/notes", data={"text": "Geheime notitie", "csrf_token": csrf})

    messages = await poll_chat(gateway)
    consultant = [m for m in messages if m["sender"] == "consultant"]
    assert [m["text"] for m in consultant] == ["Ik bel u morgen."]
    assert all("Geheime" not in (m["text"] or "") for m in messages)
    page = await gateway.client.get("/inbox/tickets/1")
    assert "Geheime notitie" in page.text and "Ik bel u morgen." in page.text


async def test_replying_to_a_waiting_ticket_claims_it(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    csrf = await login(gateway.client)
    await gateway.client.post("/inbox/api/tickets/1/reply", json={"text": "Hallo"}, headers={"X-CSRF-Token": csrf})
    detail = (await gateway.client.get("/inbox/api/tickets/1")).json()
    assert (detail["state"], detail["assignee_name"]) == ("assigned", "Anna de Vries")


async def test_a_colleague_cannot_claim_or_answer_a_ticket_that_is_already_claimed(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    add_consultant(gateway.app, email="bram@voorbeeldstad.nl", name="Bram")
    await hand_off(gateway.client)
    csrf = await login(gateway.client)
    await gateway.client.post("/inbox/api/tickets/1/claim", headers={"X-CSRF-Token": csrf})
    gateway.client.cookies.clear()
    csrf = await login(gateway.client, email="bram@voorbeeldstad.nl")

    claim = await gateway.client.post("/inbox/api/tickets/1/claim", headers={"X-CSRF-Token": csrf})
    reply = await gateway.client.post("/inbox/api/tickets/1/reply", json={"text": "x"}, headers={"X-CSRF-Token": csrf})

    assert (claim.status_code, reply.status_code) == (409, 409)
    assert "collega" in claim.json()["detail"]


async def test_a_closed_ticket_cannot_be_closed_or_answered_again(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    csrf = await login(gateway.client)
    headers = {"X-CSRF-Token": csrf}
    await gateway.client.post("/inbox/api/tickets/1/close", json={"reason": "dubbel"}, headers=headers)

    again = await gateway.client.post("/inbox/api/tickets/1/close", json={"reason": "dubbel"}, headers=headers)
    reply = await gateway.client.post("/inbox/api/tickets/1/reply", json={"text": "x"}, headers=headers)
    unknown = await gateway.client.post("/inbox/api/tickets/99/claim", headers=headers)

    assert (again.status_code, reply.status_code, unknown.status_code) == (409, 409, 404)


async def test_closing_without_a_reason_is_refused(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    csrf = await login(gateway.client)
    response = await gateway.client.post("/inbox/tickets/1/close", data={"csrf_token": csrf, "reason": ""})
    assert response.status_code == 303
    assert (await gateway.client.get("/inbox/api/tickets/1")).json()["state"] == "waiting"


async def test_closing_resumes_the_rasa_tracker_tells_the_user_and_the_bot_answers_again(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    csrf = await login(gateway.client)

    await gateway.client.post("/inbox/tickets/1/close", data={"csrf_token": csrf, "reason": "beantwoord"})

    resumes = [r for r in gateway.fake.requests if r.path.endswith("/tracker/events")]
    assert len(resumes) == 1 and resumes[0].body == RESUME_EVENTS
    assert resumes[0].query["token"] == "test-rasa-token"
    assert (await poll_chat(gateway))[-1]["text"].startswith("U praat nu weer met de digitale assistent")
    calls = len(gateway.fake.messages)
    replies = await chat(gateway.client, "Wat is een PIP?")
    assert len(gateway.fake.messages) == calls + 1
    assert replies[0]["text"].startswith("Een PIP is")


async def test_the_closing_message_is_in_english_for_an_english_ticket(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    gateway.fake.reply = lambda body: [
        {"recipient_id": body["sender"], "custom": {"wegwijs": {
            "type": "handoff", "reason": "fallback", "consent_at": "2026-11-20T10:15:00Z", "lang": "en"}}}
    ]
    await chat(gateway.client, "yes")
    csrf = await login(gateway.client)
    await gateway.client.post("/inbox/api/tickets/1/close", json={"reason": "beantwoord"}, headers={"X-CSRF-Token": csrf})
    assert (await poll_chat(gateway))[-1]["text"].startswith("You are now talking to the digital assistant again")


async def test_a_resume_that_fails_while_the_engine_is_down_is_retried_and_not_lost(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    csrf = await login(gateway.client)
    gateway.fake.down = True

    close = await gateway.client.post("/inbox/api/tickets/1/close", json={"reason": "beantwoord"}, headers={"X-CSRF-Token": csrf})

    assert close.status_code == 200
    with gateway.db() as session:
        assert session.get(Ticket, 1).resume_pending is True
    assert ("resume_failed", "system") in ticket_events(gateway)
    assert (await poll_chat(gateway))[-1]["text"].startswith("U praat nu weer")

    gateway.fake.down = False
    replies = await chat(gateway.client, "Wat is een PIP?")

    paths = [r.path for r in gateway.fake.requests]
    assert paths[-2:] == ["/conversations/" + paths[-2].split("/")[2] + "/tracker/events", "/webhooks/rest/webhook"]
    assert replies[0]["text"].startswith("Een PIP is")
    with gateway.db() as session:
        assert session.get(Ticket, 1).resume_pending is False
    assert ticket_events(gateway)[-1] == ("resumed", "system")


async def test_the_background_retry_resumes_without_a_new_user_message(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    csrf = await login(gateway.client)
    gateway.fake.down = True
    await gateway.client.post("/inbox/api/tickets/1/close", json={"reason": "beantwoord"}, headers={"X-CSRF-Token": csrf})
    gateway.fake.down = False

    assert await gateway.app.state.handoff.retry_pending_resumes() == 1
    assert await gateway.app.state.handoff.retry_pending_resumes() == 0


async def test_a_restart_keeps_tickets_thread_messages_and_notes(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with running(settings, FakeRasa(reply=scripted_reply)) as (app, client):
        add_consultant(app)
        await hand_off(client)
        await chat(client, "Bericht tijdens het ticket")
        csrf = await login(client)
        await client.post("/inbox/api/tickets/1/reply", json={"text": "Antwoord van Anna"}, headers={"X-CSRF-Token": csrf})
        await client.post("/inbox/api/tickets/1/notes", json={"text": "Notitie van Anna"}, headers={"X-CSRF-Token": csrf})

    fake = FakeRasa(reply=scripted_reply)
    async with running(settings, fake) as (app, client):
        await login(client)
        detail = (await client.get("/inbox/api/tickets/1")).json()
        texts = [item["text"] for item in detail["timeline"]]
        assert detail["state"] == "assigned"
        assert {"Bericht tijdens het ticket", "Antwoord van Anna", "Notitie van Anna", "Wat is een PIP?"} <= set(texts)
        await chat(client, "Nog een bericht na de herstart")
        assert fake.messages == []  # still with the regievoerder after the restart


async def test_an_out_of_range_ticket_number_is_a_client_error_not_a_crash(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await login(gateway.client)
    for path in ("/inbox/api/tickets/0", f"/inbox/api/tickets/{2**70}", "/inbox/tickets/-1"):
        assert (await gateway.client.get(path)).status_code == 422


async def test_closing_with_an_unknown_reason_is_refused_with_422_naming_the_field(tmp_path):
    from tests.support.fake_rasa import FakeRasa
    from tests.support.inbox import add_consultant, hand_off, login, make_settings, running, scripted_reply

    async with running(make_settings(tmp_path), FakeRasa(reply=scripted_reply)) as (app, client):
        add_consultant(app)
        await hand_off(client, "close-reason-user")
        csrf = await login(client)
        tickets = (await client.get("/inbox/api/tickets", params={"view": "all"})).json()["tickets"]
        response = await client.post(
            f"/inbox/api/tickets/{tickets[0]['id']}/close", json={"reason": "whatever"}, headers={"X-CSRF-Token": csrf}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "reason"
