"""Review findings 5 and 6 (and 8's web chat items): a `/payload` reaches the engine as a payload
only when the bot offered that button to the conversation; a button title is shown instead of the
text only when it is that button's title; web chat limits per session and per address; the
configured maximum length; conversation ids never raw in logs."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway.core.models import Message
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings, running

pytestmark = pytest.mark.asyncio
API = "/webchat/api/messages"
SESSION = "button-check-session"


async def test_a_typed_payload_that_was_not_offered_goes_to_the_engine_as_text(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    await client.post(API, json={"session_id": SESSION, "text": '/ask_human{"x": 1}'})
    assert fake_rasa.messages[0].body["message"] == 'ask_human{"x": 1}'
    # once offered (the fake's buttons: /faq_pip, /ask_deadlines) the same kind of text is a payload
    await client.post(API, json={"session_id": SESSION, "text": "/ask_deadlines", "title": "Mijn termijn"})
    assert fake_rasa.messages[1].body["message"] == "/ask_deadlines"
    await client.post(API, json={"session_id": SESSION, "text": "/restart"})
    assert fake_rasa.messages[2].body["message"] == "restart"


async def test_a_title_that_is_not_the_offered_buttons_title_is_not_shown(
    app, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    # the reviewer's attack: the consultant would see "Goedemorgen" while the engine got a payload
    await client.post(API, json={"session_id": SESSION, "text": "/ask_human", "title": "Goedemorgen"})
    await client.post(API, json={"session_id": SESSION, "text": "/faq_pip", "title": "Goedemorgen"})
    await client.post(API, json={"session_id": SESSION, "text": "/faq_pip", "title": "Wat is een PIP?"})
    with app.state.session_factory() as session:
        inbound = list(session.scalars(select(Message).where(Message.direction == "in").order_by(Message.id)))
    assert [(m.text, (m.payload or {}).get("display_text")) for m in inbound] == [
        ("ask_human", None), ("/faq_pip", None), ("/faq_pip", "Wat is een PIP?"),
    ]
    history = (await client.get(API, params={"session_id": SESSION})).json()["messages"]
    assert "Goedemorgen" not in str(history)


async def test_the_web_chat_limits_messages_per_session_and_per_address(tmp_path: Path, fake_rasa: FakeRasa) -> None:
    settings = make_settings(tmp_path, webchat_rate_limit_per_minute=3, webchat_ip_rate_limit_per_minute=5,
                             client_ip_header="X-Forwarded-For")
    async with running(settings, fake_rasa) as (app, client):
        codes = [(await client.post(API, json={"session_id": "one-session-1", "text": "hoi"})).status_code
                 for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        # new session ids from the same address: the address limit (5) holds
        codes = [(await client.post(API, json={"session_id": f"fresh-session-{i}", "text": "hoi"})).status_code
                 for i in range(3)]
        assert codes == [200, 429, 429]
        # another client behind the proxy (the proxy's header, last address) is not limited
        other = await client.post(API, json={"session_id": "other-session-1", "text": "hoi"},
                                  headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"})
        assert other.status_code == 200
        limited = await client.post(API, json={"session_id": "one-session-1", "text": "hoi"})
        assert limited.headers["Retry-After"] == "60" and "minuut" in limited.json()["detail"]
    assert len(fake_rasa.messages) == 5


async def test_the_configured_maximum_length_is_used(tmp_path: Path, fake_rasa: FakeRasa) -> None:
    async with running(make_settings(tmp_path, webchat_max_chars=10), fake_rasa) as (app, client):
        refused = await client.post(API, json={"session_id": SESSION, "text": "x" * 11})
        assert refused.status_code == 422
        [error] = refused.json()["detail"]
        assert error["loc"] == ["body", "text"] and "longer than 10 characters" in error["msg"]
        assert (await client.post(API, json={"session_id": SESSION, "text": "x" * 10})).status_code == 200


async def test_conversation_ids_are_never_logged_raw(
    app, client: httpx.AsyncClient, fake_rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    fake_rasa.down = True
    with caplog.at_level(logging.INFO):
        await client.post(API, json={"session_id": SESSION, "text": "hoi"})
    with app.state.session_factory() as session:
        [conversation_id] = session.scalars(select(Message.conversation_id).distinct())
    lines = "\n".join(r.getMessage() for r in caplog.records)
    assert "engine unavailable" in lines and conversation_id not in lines
    from redaction.logs import scrub

    assert conversation_id not in scrub(f"something failed conversation={conversation_id}")
