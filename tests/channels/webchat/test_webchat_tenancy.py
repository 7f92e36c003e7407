"""The web chat and the municipality: its address (/chat/<slug>) or the embedded widget's attribute decides."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from channels.webchat.routes import STATIC_DIR
from gateway.core.models import Conversation
from tests.support.fake_rasa import FakeRasa

pytestmark = pytest.mark.asyncio
API = "/webchat/api/messages"


def page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="strings">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def municipality_of(app: FastAPI, session_id: str) -> str | None:
    with app.state.session_factory() as session:
        return session.scalars(
            select(Conversation.municipality).where(Conversation.channel_user_id == session_id)
        ).one()


@pytest.mark.parametrize(("slug", "name"), [("voorbeeldstad", "Voorbeeldstad"), ("rivierdam", "Rivierdam"),
                                            ("heidebeek", "Heidebeek")])
async def test_each_municipality_has_its_own_chat_address(client: httpx.AsyncClient, slug: str, name: str) -> None:
    response = await client.get(f"/chat/{slug}")
    assert response.status_code == 200
    data = page_data(response.text)
    assert data["municipality"] == slug and data["privacy"] == f"/privacy/{slug}"
    assert name in data["strings"]["nl"]["privacy"]  # "... van de gemeente Rivierdam"
    assert f'href="/privacy/{slug}?lang=nl"' in response.text


async def test_chat_and_the_root_are_the_default_and_an_unknown_address_is_404(client: httpx.AsyncClient) -> None:
    for path in ("/", "/chat"):
        response = await client.get(path)
        assert response.status_code == 200 and page_data(response.text)["municipality"] is None
    assert (await client.get("/chat/atlantis")).status_code == 404


async def test_the_chat_address_decides_the_municipality_of_the_conversation(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    response = await client.post(API, json={"session_id": "rivier-session-1", "text": "hoi", "municipality": "rivierdam"})
    assert response.status_code == 200
    assert municipality_of(app, "rivier-session-1") == "rivierdam"
    assert fake_rasa.messages[0].body["metadata"] == {"channel": "web", "municipality": "rivierdam"}
    await client.post(API, json={"session_id": "default-session-1", "text": "hoi"})
    assert municipality_of(app, "default-session-1") == "voorbeeldstad"  # /chat: WEGWIJS_MUNICIPALITY


async def test_the_embedded_widgets_attribute_is_sent_with_every_message(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    script = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    # <script src=".../chat.js" data-municipality="heidebeek"> on a municipality's own site
    assert "document.currentScript.dataset.municipality" in script
    assert "body.municipality = MUNICIPALITY" in script
    assert "wegwijs.session.${MUNICIPALITY}" in script  # each municipality: its own conversation
    await client.post(API, json={"session_id": "heide-session-1", "text": "hoi", "municipality": "heidebeek"})
    assert municipality_of(app, "heide-session-1") == "heidebeek"
    assert fake_rasa.messages[0].body["metadata"]["municipality"] == "heidebeek"


async def test_an_unknown_municipality_is_refused(client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    response = await client.post(API, json={"session_id": "x-session-1", "text": "hoi", "municipality": "atlantis"})
    assert response.status_code == 422 and fake_rasa.messages == []
    bad = await client.post(API, json={"session_id": "x-session-1", "text": "hoi", "municipality": "<script>"})
    assert bad.status_code == 422
