"""WhatsApp channel: signed webhooks with recorded Cloud API payloads, a local fake Graph API.

Webhook bodies are real-format payloads (tests/fixtures/whatsapp/), signed like Meta signs
them; replies go over HTTP to the fake Graph API (tests/fakes/whatsapp_graph.py), which checks
the documented shapes and limits.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from channels.whatsapp import mapping
from channels.whatsapp.webhook import signature_of
from gateway.core.config import Settings
from gateway.core.models import Conversation, Message, utcnow
from gateway.core.schemas import Button, OutgoingMessage
from tests.fakes import engine_script
from tests.fakes.server import serve
from tests.fakes.whatsapp_graph import FakeWhatsAppGraph
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import channel_settings, make_settings, running, stored

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whatsapp"
ACCESS_TOKEN = "EAAGtestAccessTokenWegwijs"
APP_SECRET = "0123456789abcdef0123456789abcdef"
VERIFY_TOKEN = "wegwijs-verify-token"
PHONE_NUMBER_ID = "106540352242922"
WA_ID = "31612345678"
TEMPLATE = "wegwijs_reply_waiting"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


_counter = iter(range(1, 10**9))


def text_message(text: str) -> dict[str, Any]:
    body = fixture("message_text")
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["text"]["body"] = text
    message["id"] = f"wamid.TEST{next(_counter):012d}"
    return body


def interactive_reply(kind: str, reply_id: str, title: str) -> dict[str, Any]:
    body = fixture("message_list_reply" if kind == "list_reply" else "message_button_reply")
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["interactive"] = {"type": kind, kind: {"id": reply_id, "title": title}}
    message["id"] = f"wamid.TEST{next(_counter):012d}"
    return body


@pytest.fixture(scope="module")
def graph_server() -> Iterator[tuple[FakeWhatsAppGraph, str]]:
    fake = FakeWhatsAppGraph(access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID)
    with serve(fake.app()) as base_url:
        yield fake, base_url


@pytest.fixture
def graph(graph_server: tuple[FakeWhatsAppGraph, str]) -> FakeWhatsAppGraph:
    graph_server[0].reset()
    return graph_server[0]


def whatsapp_settings(tmp_path: Path, base_url: str, **overrides: object) -> Settings:
    channel = {
        "whatsapp_access_token": ACCESS_TOKEN,
        "whatsapp_app_secret": APP_SECRET,
        "whatsapp_verify_token": VERIFY_TOKEN,
        "whatsapp_phone_number_id": PHONE_NUMBER_ID,
        "whatsapp_api_base_url": base_url,
        "whatsapp_template_name": TEMPLATE,
    }
    return channel_settings(tmp_path, channel, **overrides)


@pytest.fixture
def settings(
    tmp_path: Path, graph: FakeWhatsAppGraph, graph_server: tuple[FakeWhatsAppGraph, str]
) -> Settings:
    """The gateway behind conftest's `app`/`client`: WhatsApp on the (freshly reset) fake Graph API."""
    return whatsapp_settings(tmp_path, graph_server[1])


@pytest.fixture
def fake_rasa(engine: FakeRasa) -> FakeRasa:
    return engine


async def post_webhook(
    client: httpx.AsyncClient, body: dict[str, Any], *, secret: str = APP_SECRET, signature: str | None = None
) -> httpx.Response:
    raw = json.dumps(body, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": signature if signature is not None else signature_of(secret, raw),
    }
    return await client.post("/whatsapp/webhook", content=raw, headers=headers)


def texts(graph: FakeWhatsAppGraph) -> list[str]:
    return [m["text"]["body"] for m in graph.of("text")]


# -- verification handshake and signatures ---------------------------------------------------
async def test_the_verification_handshake_echoes_the_challenge_for_the_right_verify_token(
    client: httpx.AsyncClient,
) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = await client.get("/whatsapp/webhook", params=params)
    assert response.status_code == 200
    assert response.text == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
    ids=["wrong verify token", "wrong mode", "no verify token"],
)
async def test_the_verification_handshake_is_refused_otherwise(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    assert (await client.get("/whatsapp/webhook", params=params)).status_code == 403


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha1=abc", "SIGNED-WITH-OTHER-SECRET"],
    ids=["missing signature", "wrong digest", "wrong algorithm", "signed with another secret"],
)
async def test_a_webhook_with_a_wrong_signature_is_rejected_and_nothing_is_processed(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa, signature: str
) -> None:
    body = text_message(engine_script.FAQ_QUESTION)
    if signature == "SIGNED-WITH-OTHER-SECRET":
        response = await post_webhook(client, body, secret="another-app-secret")
    else:
        response = await post_webhook(client, body, signature=signature)
    assert response.status_code == 403
    assert engine.messages == []
    assert graph.messages == [] and graph.receipts == []
    assert stored(app, Message) == []


async def test_the_signature_covers_the_raw_body_byte_for_byte(
    client: httpx.AsyncClient, engine: FakeRasa
) -> None:
    body = text_message("hallo")
    raw = json.dumps(body).encode()  # different spacing than the signed bytes below
    signed = json.dumps(body, separators=(",", ":")).encode()
    response = await client.post(
        "/whatsapp/webhook", content=raw, headers={"X-Hub-Signature-256": signature_of(APP_SECRET, signed)}
    )
    assert response.status_code == 403
    assert engine.messages == []


async def test_a_status_update_is_acknowledged_and_ignored(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa
) -> None:
    response = await post_webhook(client, fixture("status_delivered"))
    assert response.status_code == 200
    assert engine.messages == [] and graph.messages == [] and graph.receipts == []
    assert stored(app, Conversation) == []


async def test_messages_for_another_phone_number_are_ignored(
    client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa
) -> None:
    body = text_message("hallo")
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999999999999999"
    assert (await post_webhook(client, body)).status_code == 200
    assert engine.messages == [] and graph.messages == []


# -- conversations -------------------------------------------------------------------------
async def test_a_whatsapp_user_asks_a_faq_question_and_gets_the_answer_with_reply_buttons(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa
) -> None:
    response = await post_webhook(client, fixture("message_text"))
    assert response.status_code == 200

    assert graph.errors == []
    assert graph.receipts[0]["message_id"].startswith("wamid.")
    (answer,) = graph.messages
    assert answer["to"] == WA_ID and answer["type"] == "interactive"
    interactive = answer["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"]["text"] == engine_script.FAQ_ANSWER
    assert [(b["reply"]["title"], b["reply"]["id"]) for b in interactive["action"]["buttons"]] == [
        ("Mijn termijn", "/ask_deadlines"),
        ("Praat met een mens", "/ask_human"),
    ]
    assert [m.body["message"] for m in engine.messages] == [engine_script.FAQ_QUESTION]
    assert stored(app, Conversation)[0].channel_user_id == WA_ID


async def test_a_button_reply_sends_its_id_to_the_engine_and_keeps_the_title_for_the_transcript(
    app: FastAPI, client: httpx.AsyncClient, engine: FakeRasa
) -> None:
    await post_webhook(client, fixture("message_button_reply"))
    assert engine.messages[0].body["message"] == "/ask_deadlines"
    assert stored(app, Message)[0].payload == {"display_text": "Mijn termijn"}


async def test_more_than_three_options_become_a_list_message_of_at_most_ten_rows(
    client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa
) -> None:
    await post_webhook(client, text_message("/all_topics"))
    assert graph.errors == []
    (answer,) = graph.of("interactive")
    assert answer["interactive"]["type"] == "list"
    rows = answer["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    assert rows[1]["title"] == "Wanneer moet ik klaar z…"
    assert rows[1]["description"] == "Wanneer moet ik klaar zijn met inburgeren?"

    await post_webhook(client, interactive_reply("list_reply", rows[3]["id"], rows[3]["title"]))
    assert engine.messages[-1].body["message"] == '/choose_topic{"faq_topic": "t3"}'


async def test_a_list_reply_from_the_recorded_payload_reaches_the_engine(
    client: httpx.AsyncClient, engine: FakeRasa
) -> None:
    await post_webhook(client, fixture("message_list_reply"))
    assert engine.messages[0].body["message"] == "/faq_exam_exemption"


async def test_a_user_asking_for_deadlines_gets_the_timeline_picture_and_the_calendar_file_as_uploads(
    client: httpx.AsyncClient, graph: FakeWhatsAppGraph
) -> None:
    await post_webhook(client, text_message("/ask_deadlines"))
    assert graph.errors == []
    kinds = [m["type"] for m in graph.messages]
    assert kinds[:3] == ["text", "image", "document"]
    # a reminder offer (Ja/Nee) may ride on the calendar message: a document has no buttons,
    # so they follow as an interactive message
    assert all(kind == "interactive" for kind in kinds[3:])
    assert texts(graph) == [engine_script.DEADLINES_TEXT]

    image = graph.check_media_id(graph.of("image")[0]["image"]["id"])
    assert image.media_type == "image/png" and image.content.startswith(b"\x89PNG\r\n\x1a\n")
    document_message = graph.of("document")[0]["document"]
    assert document_message["filename"] == "wegwijs-termijnen.ics"
    document = graph.check_media_id(document_message["id"])
    assert document.media_type == "text/plain"
    assert document.content.startswith(b"BEGIN:VCALENDAR")


async def test_a_duplicated_webhook_produces_one_answer(
    client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa
) -> None:
    body = text_message(engine_script.FAQ_QUESTION)
    assert (await post_webhook(client, body)).status_code == 200
    assert (await post_webhook(client, copy.deepcopy(body))).status_code == 200
    assert len(engine.messages) == 1
    assert len(graph.of("interactive")) == 1


async def test_when_the_engine_is_down_the_message_is_kept_and_the_user_gets_an_apology(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa
) -> None:
    engine.down = True
    await post_webhook(client, text_message("Hoeveel uur les moet ik volgen?"))
    assert texts(graph) == [
        "Sorry, de assistent is even niet bereikbaar. Probeer het over een paar minuten opnieuw."
    ]
    assert [m.text for m in stored(app, Message) if m.direction == "in"] == [
        "Hoeveel uur les moet ik volgen?"
    ]


async def test_a_voice_message_gets_a_polite_text_only_answer(
    client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa
) -> None:
    body = text_message("x")
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["text"]
    message.update(
        {"type": "audio", "audio": {"mime_type": "audio/ogg; codecs=opus", "id": "1234", "voice": True}}
    )
    await post_webhook(client, body)
    assert texts(graph) == [mapping.UNSUPPORTED_TEXT["nl"]]
    assert engine.messages == []


# -- handoff and the 24-hour rule --------------------------------------------------------------
async def test_a_user_asking_for_a_person_receives_the_regievoerders_reply_within_24_hours(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa
) -> None:
    await post_webhook(client, text_message("/ask_human"))
    assert texts(graph) == [engine_script.HANDOFF_TEXT]

    conversation_id = stored(app, Conversation)[0].id
    reply = OutgoingMessage(text="Goedemiddag, ik ben Sanne, uw regievoerder.", sender="consultant")
    await app.state.conversations.deliver(conversation_id, [reply])
    assert texts(graph)[-1] == reply.text
    assert graph.of("template") == []


async def test_a_reply_after_24_hours_goes_out_as_the_template_and_is_delivered_when_the_user_writes_back(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph, engine: FakeRasa
) -> None:
    await post_webhook(client, text_message("/ask_human"))
    with app.state.session_factory() as session:
        conversation = session.scalars(select(Conversation)).one()
        conversation.last_user_message_at = utcnow() - timedelta(hours=24, minutes=1)
        session.commit()
        conversation_id = conversation.id
    graph.reset()

    reply = OutgoingMessage(
        text="Goedemiddag, uw PIP-gesprek is op 3 december om 10.00 uur.", sender="consultant"
    )
    await app.state.conversations.deliver(conversation_id, [reply])
    (template,) = graph.messages
    assert template["type"] == "template"
    assert template["template"] == {"name": TEMPLATE, "language": {"code": "nl"}}
    assert template["to"] == WA_ID

    graph.reset()
    await post_webhook(client, text_message("Hallo?"))
    assert texts(graph) == [reply.text, "Antwoord op: Hallo?"]

    graph.reset()
    await post_webhook(client, text_message("Dank u"))
    assert texts(graph) == ["Antwoord op: Dank u"]  # delivered once


async def test_a_reminder_to_a_user_who_never_wrote_only_gets_the_notice_template(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph
) -> None:
    with app.state.session_factory() as session:
        conversation = Conversation(channel="whatsapp", channel_user_id=WA_ID, language="nl")
        session.add(conversation)
        session.commit()
        conversation_id = conversation.id
    await app.state.conversations.deliver(
        conversation_id, [OutgoingMessage(text="Herinnering", sender="system")]
    )
    (template,) = graph.messages
    assert (
        template["template"]["name"] == "wegwijs_message_waiting"
    )  # a reminder is not a regievoerder's reply


# -- rate limit and privacy ----------------------------------------------------------------------
async def test_over_the_rate_limit_a_sender_gets_one_polite_message_then_nothing(
    tmp_path: Path, graph: FakeWhatsAppGraph, graph_server: tuple[FakeWhatsAppGraph, str], engine: FakeRasa
) -> None:
    settings = whatsapp_settings(tmp_path, graph_server[1], channel_rate_limit_per_minute=2)
    async with running(settings, engine) as (_, client):
        for i in range(5):
            await post_webhook(client, text_message(f"vraag {i}"))
    assert len(engine.messages) == 2
    assert texts(graph) == [
        "Antwoord op: vraag 0",
        "Antwoord op: vraag 1",
        "U stuurt veel berichten kort na elkaar. Wacht een minuut en stuur uw vraag dan opnieuw.",
    ]


async def test_logs_never_contain_the_message_or_the_phone_number(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    body = text_message("Mijn BSN is 123456782")
    await post_webhook(client, body)
    await post_webhook(client, body)
    await post_webhook(client, body, signature="sha256=bad")
    assert "123456782" not in caplog.text
    assert WA_ID not in caplog.text
    assert ACCESS_TOKEN not in caplog.text


# -- mapping -------------------------------------------------------------------------------
def test_three_short_buttons_are_reply_buttons_and_four_are_a_list() -> None:
    three = [Button(title=f"Optie {i}", payload=f"/o{i}") for i in range(3)]
    assert mapping.interactive_body(WA_ID, "Kies", three)["interactive"]["type"] == "button"
    assert (
        mapping.interactive_body(WA_ID, "Kies", [*three, Button(title="Optie 4", payload="/o4")])[
            "interactive"
        ]["type"]
        == "list"
    )
    long_title = [Button(title="Een titel van meer dan twintig tekens", payload="/x")]
    assert mapping.interactive_body(WA_ID, "Kies", long_title)["interactive"]["type"] == "list"


def test_a_reply_id_longer_than_allowed_becomes_a_short_key_that_resolves_back() -> None:
    payload = "/choose_topic" + "x" * 300
    reply_id = mapping.reply_id_for(payload, mapping.REPLY_ID_LIMIT)
    assert len(reply_id) <= mapping.ROW_ID_LIMIT
    assert mapping.resolve_reply_id(reply_id, [Button(title="t", payload=payload)]) == payload
    assert mapping.resolve_reply_id(mapping.short_key("/gone"), []) is None


# -- settings ------------------------------------------------------------------------------
def test_whatsapp_settings_are_all_or_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="WHATSAPP"):
        make_settings(tmp_path, whatsapp_access_token=ACCESS_TOKEN, whatsapp_phone_number_id=PHONE_NUMBER_ID)
    assert make_settings(tmp_path).whatsapp_enabled is False


def test_production_refuses_placeholder_channel_secrets(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="WHATSAPP_APP_SECRET"):
        whatsapp_settings(
            tmp_path, "https://graph.facebook.com", env="production", whatsapp_app_secret="changethis"
        )


def test_the_template_goes_out_in_the_users_language_when_it_was_approved_in_that_language() -> None:
    from types import SimpleNamespace

    from channels.whatsapp.channel import WhatsAppChannel

    settings = SimpleNamespace(whatsapp_template_languages="nl, en, pt", whatsapp_template_language="nl")
    channel = SimpleNamespace(settings=settings)
    assert WhatsAppChannel.template_language(channel, "pt") == "pt_BR"  # type: ignore[arg-type]
    assert WhatsAppChannel.template_language(channel, "en") == "en"  # type: ignore[arg-type]
    # Turkish has no approved template here: the default language's template is sent
    assert WhatsAppChannel.template_language(channel, "tr") == "nl"  # type: ignore[arg-type]
    assert WhatsAppChannel.template_language(channel, "xx") == "nl"  # type: ignore[arg-type]
