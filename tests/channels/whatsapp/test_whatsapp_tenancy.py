"""WhatsApp and the municipality: a municipality's own number decides it; the shared number asks once.

Signed webhooks in the Cloud API's format on the numbers of knowledge/municipalities/ (Voorbeeldstad
and Rivierdam have their own number, Heidebeek has none) and on the deployment's shared number;
replies go to the fake Graph API, which records the number each message was sent from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from gateway.core.config import Settings
from gateway.core.models import Conversation
from gateway.core.schemas import OutgoingMessage
from gateway.core.tenancy import Tenancy
from knowledge import texts
from tests.channels.whatsapp.test_whatsapp import (
    ACCESS_TOKEN,
    PHONE_NUMBER_ID,
    WA_ID,
    interactive_reply,
    post_webhook,
    text_message,
    whatsapp_settings,
)
from tests.fakes.server import serve
from tests.fakes.whatsapp_graph import FakeWhatsAppGraph
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings

pytestmark = pytest.mark.asyncio
NUMBERS = Tenancy.from_settings(make_settings(Path("."))).whatsapp_numbers()  # number -> municipality
OWN = {municipality: number for number, municipality in NUMBERS.items()}


@pytest.fixture(scope="module")
def graph_server() -> Iterator[tuple[FakeWhatsAppGraph, str]]:
    fake = FakeWhatsAppGraph(access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID,
                             other_phone_number_ids=tuple(NUMBERS))
    with serve(fake.app()) as base_url:
        yield fake, base_url


@pytest.fixture
def graph(graph_server: tuple[FakeWhatsAppGraph, str]) -> FakeWhatsAppGraph:
    graph_server[0].reset()
    return graph_server[0]


@pytest.fixture
def settings(tmp_path: Path, graph: FakeWhatsAppGraph, graph_server: tuple[FakeWhatsAppGraph, str]) -> Settings:
    """PHONE_NUMBER_ID is the shared number (no municipality names it): it asks."""
    return whatsapp_settings(tmp_path, graph_server[1], ask_municipality=True)


def on_number(body: dict[str, Any], number: str) -> dict[str, Any]:
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = number
    return body


def municipality(app: FastAPI) -> str | None:
    with app.state.session_factory() as session:
        return session.scalars(select(Conversation.municipality).where(Conversation.channel_user_id == WA_ID)).one()


def sent(graph: FakeWhatsAppGraph) -> list[tuple[str, str]]:
    """(number sent from, text or interactive body) of every message the gateway sent."""
    out = []
    for number, message in zip(graph.sent_from, graph.messages, strict=True):
        body = message["text"]["body"] if message["type"] == "text" else message["interactive"]["body"]["text"]
        out.append((number, body))
    return out


async def test_the_phone_number_it_arrives_on_decides_the_municipality(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, fake_rasa: FakeRasa
) -> None:
    number = OWN["rivierdam"]
    await post_webhook(client, on_number(text_message("Hoeveel tijd heb ik?"), number))
    assert municipality(app) == "rivierdam"
    assert fake_rasa.messages[0].body["metadata"] == {"channel": "whatsapp", "municipality": "rivierdam"}
    assert sent(graph) == [(number, "Antwoord op: Hoeveel tijd heb ik?")]  # answered from that number
    assert graph.errors == []


async def test_a_message_outside_a_turn_goes_out_from_the_number_the_user_wrote_to(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph
) -> None:
    number = OWN["voorbeeldstad"]
    await post_webhook(client, on_number(text_message("hoi"), number))
    with app.state.session_factory() as session:
        conversation_id = session.scalars(select(Conversation.id)).one()
    await app.state.conversations.deliver(conversation_id, [OutgoingMessage(text="Uw regievoerder", sender="consultant")])
    assert sent(graph)[-1] == (number, "Uw regievoerder")


async def test_the_shared_number_asks_once_accepts_a_typo_and_answers_the_first_question_after(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, fake_rasa: FakeRasa
) -> None:
    await post_webhook(client, text_message("Wanneer moet ik klaar zijn?"))
    [question] = graph.of("interactive")
    assert question["interactive"]["body"]["text"] == texts.text("tenancy.ask", "nl")
    buttons = question["interactive"]["action"]["buttons"]  # three municipalities: reply buttons
    assert [b["reply"]["title"] for b in buttons] == ["Heidebeek", "Rivierdam", "Voorbeeldstad"]
    assert fake_rasa.messages == [] and municipality(app) is None

    await post_webhook(client, text_message("heidebek"))
    assert municipality(app) == "heidebeek"
    assert [m.body["message"] for m in fake_rasa.messages] == ["Wanneer moet ik klaar zijn?"]
    assert fake_rasa.messages[0].body["metadata"]["municipality"] == "heidebeek"
    assert sent(graph)[-2:] == [
        (PHONE_NUMBER_ID, texts.text("tenancy.chosen", "nl", municipality="Heidebeek")),
        (PHONE_NUMBER_ID, "Antwoord op: Wanneer moet ik klaar zijn?"),
    ]

    await post_webhook(client, text_message("Veerhaven"))  # a place elsewhere: not a question any more
    assert [m.body["message"] for m in fake_rasa.messages][-1] == "Veerhaven"
    asked = [m for m in graph.of("interactive") if m["interactive"]["body"]["text"] == texts.text("tenancy.ask", "nl")]
    assert len(asked) == 1  # asked once, never again
    assert municipality(app) == "heidebeek"
    assert graph.errors == []


async def test_a_tap_on_a_municipality_button_decides(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, fake_rasa: FakeRasa
) -> None:
    await post_webhook(client, text_message("hoi"))
    [question] = graph.of("interactive")
    rivierdam = next(b["reply"] for b in question["interactive"]["action"]["buttons"]
                     if b["reply"]["title"] == "Rivierdam")
    await post_webhook(client, interactive_reply("button_reply", rivierdam["id"], rivierdam["title"]))
    assert municipality(app) == "rivierdam"
    assert [m.body["message"] for m in fake_rasa.messages] == ["hoi"]


async def test_ik_woon_in_changes_the_municipality_on_whatsapp(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, fake_rasa: FakeRasa
) -> None:
    await post_webhook(client, on_number(text_message("hoi"), OWN["rivierdam"]))
    await post_webhook(client, on_number(text_message("ik woon in Zandhoeve"), OWN["rivierdam"]))
    assert municipality(app) == "heidebeek"
    assert sent(graph)[-1] == (OWN["rivierdam"], texts.text("tenancy.changed", "nl", municipality="Heidebeek"))
    await post_webhook(client, on_number(text_message("en nu?"), OWN["rivierdam"]))
    assert fake_rasa.messages[-1].body["metadata"]["municipality"] == "heidebeek"


async def test_a_number_of_no_municipality_and_not_ours_is_ignored(
    client: httpx.AsyncClient, graph: FakeWhatsAppGraph, fake_rasa: FakeRasa
) -> None:
    await post_webhook(client, on_number(text_message("hoi"), "555000555000555"))
    assert graph.messages == [] and fake_rasa.messages == []
