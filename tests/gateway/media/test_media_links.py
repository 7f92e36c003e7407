"""Review finding 2: an old calendar or timeline link must never show someone else's dates.

Media links carry a random per-message token and an expiry inside the signed value; the route
answers 404 (never 403: no hint whether a message exists) unless the signature is valid, the
link has not expired and the token is the one stored with the message. Message ids are not
reused on SQLite (AUTOINCREMENT), so a deleted message's id never comes back either.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from gateway.core.models import Conversation
from gateway.media import deadlines as media
from gateway.privacy import delete_user_data
from tests.support.fake_rasa import FakeRasa

pytestmark = pytest.mark.asyncio
API = "/webchat/api/messages"
A_INPUT = {"pip_date": "2024-02-29", "today": "2025-06-01", "hours_bow": 200}
B_INPUT = {"pip_date": "2023-09-15", "today": "2025-06-01", "hours_bow": 200}
DAY = 24 * 3600


def bot_sends_deadlines(fake: FakeRasa) -> None:
    """Each user gets a deadline answer for their own PIP date (by session id)."""

    def reply(body: dict) -> list[dict]:
        data = A_INPUT if body["sender"] == conversation_ids.get("a") else B_INPUT
        return [
            {"recipient_id": body["sender"], "text": "Dit zijn uw termijnen."},
            {"recipient_id": body["sender"], "custom": {"wegwijs": {"type": "deadlines", "input": data, "lang": "nl"}}},
        ]

    fake.reply = reply


conversation_ids: dict[str, str] = {}


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return f"{parts.path}?{urlencode(query)}"


def conversation_id(app: FastAPI, session_id: str) -> str:
    with app.state.session_factory() as session:
        return session.scalars(
            select(Conversation.id).where(Conversation.channel_user_id == session_id)
        ).one()


async def deadline_answer(app: FastAPI, client: httpx.AsyncClient, user: str) -> tuple[dict, dict]:
    """(image message, calendar message) of a fresh deadline answer for user "a" or "b"."""
    session_id = f"media-link-user-{user}"
    await client.post(API, json={"session_id": session_id, "text": "hoi"})
    conversation_ids[user] = conversation_id(app, session_id)
    messages = (await client.post(API, json={"session_id": session_id, "text": "mijn termijnen"})).json()["messages"]
    _, image, document, *_ = messages  # then the offer of check-ins
    return image, document


@pytest.fixture(autouse=True)
def _users(fake_rasa: FakeRasa) -> None:
    conversation_ids.clear()
    bot_sends_deadlines(fake_rasa)


async def test_an_erased_users_old_links_never_show_the_next_users_dates(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The reproduction: A erases, B's answer is stored where A's was, A's old link is dead."""
    a_image, a_document = await deadline_answer(app, client, "a")
    a_ics = local(a_document["document_url"])
    assert (await client.get(a_ics)).status_code == 200
    with app.state.session_factory() as session:
        delete_user_data(session, conversation_ids["a"])
    # B's messages take the ids A's had on an SQLite table without AUTOINCREMENT.
    b_image, b_document = await deadline_answer(app, client, "b")

    old_link = await client.get(a_ics)
    assert b"2023" not in old_link.content, "A's old link shows B's dates"
    assert old_link.status_code == 404
    assert (await client.get(local(a_image["image_url"]))).status_code == 404
    assert b_image["id"] > a_image["id"], "a deleted message id was used again"
    b_calendar = await client.get(local(b_document["document_url"]))
    assert b_calendar.status_code == 200 and b"2023" in b_calendar.content


async def test_a_link_to_a_reused_id_is_refused_by_its_token(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Even when a row gets an old id (a database restored or copied by hand), the token differs."""
    a_image, a_document = await deadline_answer(app, client, "a")
    with app.state.session_factory() as session:
        delete_user_data(session, conversation_ids["a"])
    b_image, b_document = await deadline_answer(app, client, "b")
    with app.state.db_engine.begin() as connection:
        connection.execute(text("UPDATE messages SET id = :old WHERE id = :new"),
                           {"old": a_image["id"], "new": b_image["id"]})
    for url in (a_image["image_url"], a_document["document_url"]):
        assert (await client.get(local(url))).status_code == 404


async def test_an_expired_link_is_not_found(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    image, document = await deadline_answer(app, client, "a")
    assert (await client.get(local(document["document_url"]))).status_code == 200
    issued = int(parse_qs(urlsplit(document["document_url"]).query).get("exp", ["0"])[0])
    assert issued, "the link carries no expiry"
    now = media.now()
    assert issued - now <= media.DEFAULT_LINK_DAYS * DAY + 60
    monkeypatch.setattr(media, "now", lambda: now + media.DEFAULT_LINK_DAYS * DAY + 1)
    assert (await client.get(local(document["document_url"]))).status_code == 404
    assert (await client.get(local(image["image_url"]))).status_code == 404


async def test_the_expiry_cannot_be_extended_by_editing_the_link(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _, document = await deadline_answer(app, client, "a")
    exp = int(parse_qs(urlsplit(document["document_url"]).query).get("exp", ["0"])[0])
    longer = with_query(document["document_url"], exp=str(exp + 365 * DAY))
    assert (await client.get(longer)).status_code == 404


@pytest.mark.parametrize("extension", ["png", "ics"])
async def test_a_tampered_or_missing_token_or_signature_is_not_found(
    app: FastAPI, client: httpx.AsyncClient, extension: str
) -> None:
    image, document = await deadline_answer(app, client, "a")
    url = image["image_url"] if extension == "png" else document["document_url"]
    query = parse_qs(urlsplit(url).query)
    token = query.get("t", ["x" * 22])[0]
    other = ("A" if token[0] != "A" else "B") + token[1:]
    path = urlsplit(url).path
    for bad in (
        with_query(url, t=other),
        with_query(url, sig="0" * 24),
        f"{path}?sig={query['sig'][0]}",  # the old form of link: id and signature only
        path,
        f"/media/deadlines/{image['id'] + 1000}.{extension}{local(url)[len(path):]}",
    ):
        assert (await client.get(bad)).status_code == 404, bad


async def test_the_token_is_stored_with_the_message_and_differs_per_message(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    a_image, _ = await deadline_answer(app, client, "a")
    b_image, _ = await deadline_answer(app, client, "b")
    a_token = parse_qs(urlsplit(a_image["image_url"]).query)["t"][0]
    b_token = parse_qs(urlsplit(b_image["image_url"]).query)["t"][0]
    assert a_token != b_token and len(a_token) >= 20
    stored = app.state.conversations.stored_message(a_image["id"])
    assert stored.data["wegwijs"]["token"] == a_token


async def test_message_ticket_and_reminder_ids_are_never_reused(app: FastAPI) -> None:
    """SQLite hands out the highest deleted rowid again unless the table is AUTOINCREMENT."""
    from datetime import date

    from gateway.core.models import Message, utcnow
    from gateway.inbox.models import Ticket
    from gateway.reminders.models import Reminder

    now = utcnow()
    with app.state.session_factory() as session:
        conversation = Conversation(channel="web", channel_user_id="ids-user")
        session.add(conversation)
        session.flush()
        rows = {
            Message: lambda: Message(conversation_id=conversation.id, direction="out", sender="bot", text="x"),
            Ticket: lambda: Ticket(conversation_id=conversation.id, state="closed", reason="user_request",
                                   channel="web", channel_user_id="ids-user", slots={}),
            Reminder: lambda: Reminder(conversation_id=conversation.id, kind="k", due_date=date(2027, 1, 1),
                                       send_at=now, next_attempt_at=now, text_key="k"),
        }
        for model, make in rows.items():
            first = make()
            session.add(first)
            session.commit()
            old_id = first.id
            session.delete(first)
            session.commit()
            second = make()
            session.add(second)
            session.commit()
            assert second.id > old_id, f"{model.__tablename__} reused id {old_id}"
