"""The web chat page and its JSON API: send, poll, validation, persistence across restarts."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from channels.webchat.routes import STATIC_DIR
from gateway.core.schemas import OutgoingMessage
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings, running

pytestmark = pytest.mark.asyncio
API = "/webchat/api/messages"
SESSION = "b7f4c0e1a2d34b5c"


async def test_the_page_is_served_in_dutch_without_external_resources(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="nl" dir="ltr">' in response.text
    assert "Verstuur" in response.text and 'id="lang-select"' in response.text
    assert 'name="viewport"' in response.text
    assert not re.search(r"(src|href)=\"https?://", response.text)
    for asset in ("chat.js", "chat.css"):
        assert (await client.get(f"/webchat/static/{asset}")).status_code == 200


async def test_the_script_never_inserts_html() -> None:
    script = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script


async def test_a_round_trip_returns_the_bot_text_and_buttons(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    response = await client.post(API, json={"session_id": SESSION, "text": "Wat is inburgeren?"})
    assert response.status_code == 200
    [message] = response.json()["messages"]
    assert message["direction"] == "out" and message["sender"] == "bot"
    assert message["text"] == "Antwoord op: Wat is inburgeren?"
    assert message["buttons"] == [
        {"title": "Wat is een PIP?", "payload": "/faq_pip"},
        {"title": "Mijn termijn", "payload": "/ask_deadlines"},
    ]
    assert fake_rasa.messages[0].body["metadata"] == {"channel": "web", "municipality": "voorbeeldstad"}


async def test_a_button_click_sends_the_payload_and_keeps_the_title_for_the_transcript(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    await client.post(API, json={"session_id": SESSION, "text": "hoi"})  # the bot offers its buttons
    await client.post(API, json={"session_id": SESSION, "text": "/ask_deadlines", "title": "Mijn termijn"})
    assert fake_rasa.messages[1].body["message"] == "/ask_deadlines"
    history = (await client.get(API, params={"session_id": SESSION})).json()["messages"]
    assert history[2]["direction"] == "in" and history[2]["text"] == "Mijn termijn"


async def test_polling_returns_the_messages_after_an_id_in_both_directions(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    first = (await client.post(API, json={"session_id": SESSION, "text": "een"})).json()["messages"]
    await client.post(API, json={"session_id": SESSION, "text": "twee"})
    after = first[-1]["id"]
    messages = (await client.get(API, params={"session_id": SESSION, "after": after})).json()["messages"]
    assert [(m["direction"], m["text"]) for m in messages] == [("in", "twee"), ("out", "Antwoord op: twee")]
    assert all(m["id"] > after for m in messages)


async def test_a_consultant_reply_delivered_later_shows_up_when_polling(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    reply = (await client.post(API, json={"session_id": SESSION, "text": "ik wil een mens"})).json()[
        "messages"
    ][-1]
    service = app.state.conversations
    with service.session_factory() as session:
        from gateway.core import crud

        conversation = crud.find_conversation(session=session, channel="web", channel_user_id=SESSION)
    await service.deliver(
        conversation.id, [OutgoingMessage(text="Hallo, met Sanne van de gemeente.", sender="consultant")]
    )
    messages = (await client.get(API, params={"session_id": SESSION, "after": reply["id"]})).json()[
        "messages"
    ]
    assert [(m["sender"], m["text"]) for m in messages] == [
        ("consultant", "Hallo, met Sanne van de gemeente.")
    ]


async def test_polling_an_unknown_session_returns_no_messages(client: httpx.AsyncClient) -> None:
    response = await client.get(API, params={"session_id": "unknown-session-1", "after": 0})
    assert response.json() == {"messages": [], "language": None}


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "text is empty"), ("   \n ", "text is empty"), ("x" * 2001, "longer than 2000 characters")],
    ids=["empty", "only whitespace", "over 2000 characters"],
)
async def test_an_empty_or_too_long_text_is_refused_with_a_clear_message(
    client: httpx.AsyncClient, fake_rasa: FakeRasa, text: str, message: str
) -> None:
    response = await client.post(API, json={"session_id": SESSION, "text": text})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "text"] and message in error["msg"]
    assert fake_rasa.messages == []


async def test_a_malformed_session_id_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(API, json={"session_id": "<script>", "text": "hoi"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "session_id"]


async def test_html_in_a_message_is_stored_and_returned_as_plain_text(client: httpx.AsyncClient) -> None:
    await client.post(API, json={"session_id": SESSION, "text": "<script>alert(1)</script>"})
    history = (await client.get(API, params={"session_id": SESSION})).json()["messages"]
    assert history[0]["text"] == "<script>alert(1)</script>"
    assert (
        "application/json" in (await client.get(API, params={"session_id": SESSION})).headers["content-type"]
    )


async def test_a_restarted_gateway_on_the_same_sqlite_file_keeps_conversations_and_messages(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    fake = FakeRasa()
    async with running(settings, fake) as (_, client):
        await client.post(API, json={"session_id": SESSION, "text": "eerste sessie"})
    async with running(settings, fake) as (_, client):
        await client.post(API, json={"session_id": SESSION, "text": "na herstart"})
        history = (await client.get(API, params={"session_id": SESSION})).json()["messages"]
    assert [m["text"] for m in history] == [
        "eerste sessie",
        "Antwoord op: eerste sessie",
        "na herstart",
        "Antwoord op: na herstart",
    ]
    assert fake.messages[0].body["sender"] == fake.messages[1].body["sender"]
