"""ConversationService: storage, dedup, engine outage, interceptors, custom payloads, delivery."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from gateway.core.conversation import ConversationRef, ConversationService, InboundMessage, PayloadContext
from gateway.core.models import Conversation, Message
from gateway.core.schemas import Button, OutgoingMessage
from tests.support.fake_rasa import FakeRasa

pytestmark = pytest.mark.asyncio


def service_of(app: FastAPI) -> ConversationService:
    return app.state.conversations


def rows(app: FastAPI, model: type) -> list:
    with service_of(app).session_factory() as session:
        return list(session.scalars(select(model).order_by(model.id)))


async def test_a_user_message_and_the_replies_are_stored_and_returned(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    replies = await service_of(app).handle_user_message(channel="telegram", channel_user_id="42", text="hoi")
    assert [r.text for r in replies] == ["Antwoord op: hoi"]
    assert replies[0].buttons == [
        Button(title="Wat is een PIP?", payload="/faq_pip"),
        Button(title="Mijn termijn", payload="/ask_deadlines"),
    ]
    stored = rows(app, Message)
    assert [(m.direction, m.sender, m.text) for m in stored] == [
        ("in", "user", "hoi"),
        ("out", "bot", "Antwoord op: hoi"),
    ]
    assert stored[1].id == replies[0].id
    conversation = rows(app, Conversation)[0]
    assert fake_rasa.messages[0].body["sender"] == conversation.id
    assert fake_rasa.messages[0].body["metadata"] == {"channel": "telegram", "municipality": "voorbeeldstad"}
    assert (
        conversation.last_user_message_at is not None and conversation.last_user_message_at.tzinfo is not None
    )


async def test_the_same_channel_user_keeps_one_conversation(app: FastAPI) -> None:
    service = service_of(app)
    await service.handle_user_message(channel="telegram", channel_user_id="42", text="een")
    await service.handle_user_message(channel="telegram", channel_user_id="42", text="twee")
    await service.handle_user_message(channel="whatsapp", channel_user_id="42", text="drie")
    assert sorted(c.channel for c in rows(app, Conversation)) == ["telegram", "whatsapp"]


async def test_a_repeated_platform_message_id_is_answered_once(app: FastAPI, fake_rasa: FakeRasa) -> None:
    service = service_of(app)
    first = await service.handle_user_message(
        channel="telegram", channel_user_id="42", text="hoi", platform_message_id="777"
    )
    again = await service.handle_user_message(
        channel="telegram", channel_user_id="42", text="hoi", platform_message_id="777"
    )
    assert len(first) == 1 and again == []
    assert len(fake_rasa.messages) == 1
    assert [m.direction for m in rows(app, Message)] == ["in", "out"]


async def test_when_the_engine_is_down_the_user_gets_an_apology_and_the_message_is_kept(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    fake_rasa.down = True
    replies = await service_of(app).handle_user_message(
        channel="web", channel_user_id="s-123456789", text="hoi"
    )
    assert [r.text for r in replies] == [
        "Sorry, de assistent is even niet bereikbaar. Probeer het over een paar minuten opnieuw."
    ]
    assert [(m.direction, m.sender, m.text) for m in rows(app, Message)] == [
        ("in", "user", "hoi"),
        ("out", "system", replies[0].text),
    ]


async def test_the_apology_follows_the_conversation_language(app: FastAPI, fake_rasa: FakeRasa) -> None:
    fake_rasa.down = True
    replies = await service_of(app).handle_user_message(
        channel="web", channel_user_id="s-123456789", text="hi", metadata={"lang": "en"}
    )
    assert (
        replies[0].text
        == "Sorry, the assistant cannot be reached right now. Please try again in a few minutes."
    )


async def test_an_interceptor_can_absorb_a_message_so_the_bot_stays_silent(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    seen: list[InboundMessage] = []

    async def open_ticket(inbound: InboundMessage) -> list[OutgoingMessage] | None:
        seen.append(inbound)
        return [OutgoingMessage(text="Een regievoerder antwoordt zo.", sender="system")]

    service = service_of(app)
    service.interceptors.append(open_ticket)
    replies = await service.handle_user_message(channel="web", channel_user_id="s-123456789", text="hallo?")
    assert [r.text for r in replies] == ["Een regievoerder antwoordt zo."]
    assert fake_rasa.messages == []
    assert seen[0].text == "hallo?" and seen[0].message_id == rows(app, Message)[0].id


async def test_an_interceptor_returning_none_lets_the_engine_answer(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    async def no_ticket(inbound: InboundMessage) -> None:
        return None

    service = service_of(app)
    service.interceptors.append(no_ticket)
    replies = await service.handle_user_message(channel="web", channel_user_id="s-123456789", text="hoi")
    assert replies[0].text == "Antwoord op: hoi"
    assert len(fake_rasa.messages) == 1


async def test_custom_payloads_are_dispatched_by_kind_and_their_lang_sets_the_conversation_language(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = lambda body: [
        {"recipient_id": body["sender"], "text": "Here you go"},
        {"recipient_id": body["sender"], "custom": {"wegwijs": {"type": "echo", "lang": "en", "value": 7}}},
        {"recipient_id": body["sender"], "custom": {"wegwijs": {"type": "unknown_kind"}}},
        {"recipient_id": body["sender"], "custom": {"other": True}},
    ]
    calls: list[tuple[ConversationRef, dict]] = []

    async def echo(ctx: PayloadContext, data: dict) -> list[OutgoingMessage]:
        calls.append((ctx.conversation, data))
        return [OutgoingMessage(text=f"value {data['value']} in {ctx.conversation.language}")]

    service = service_of(app)
    service.register_payload_handler("echo", echo)
    replies = await service.handle_user_message(
        channel="web", channel_user_id="s-123456789", text="deadlines please"
    )
    assert [r.text for r in replies] == ["Here you go", "value 7 in en"]
    assert rows(app, Conversation)[0].language == "en"
    assert len(calls) == 1


async def test_deliver_stores_messages_and_pushes_them_through_the_channel_sender(app: FastAPI) -> None:
    pushed: list[tuple[ConversationRef, list[OutgoingMessage]]] = []

    class RecordingSender:
        async def send(self, conversation: ConversationRef, messages: list[OutgoingMessage]) -> None:
            pushed.append((conversation, messages))

    service = service_of(app)
    service.register_sender("telegram", RecordingSender())
    await service.handle_user_message(channel="telegram", channel_user_id="42", text="hoi")
    conversation_id = rows(app, Conversation)[0].id
    delivered = await service.deliver(
        conversation_id, [OutgoingMessage(text="Hallo, ik ben uw regievoerder.", sender="consultant")]
    )
    assert delivered[0].id is not None
    assert pushed[0][0].channel_user_id == "42"
    assert [m.text for m in pushed[0][1]] == ["Hallo, ik ben uw regievoerder."]
    assert rows(app, Message)[-1].sender == "consultant"


async def test_logs_never_contain_message_text_or_the_channel_user_id(
    app: FastAPI, fake_rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    service = service_of(app)
    await service.handle_user_message(
        channel="whatsapp", channel_user_id="31612345678", text="mijn BSN is 123", platform_message_id="m1"
    )
    await service.handle_user_message(
        channel="whatsapp", channel_user_id="31612345678", text="mijn BSN is 123", platform_message_id="m1"
    )
    fake_rasa.down = True
    await service.handle_user_message(
        channel="whatsapp", channel_user_id="31612345678", text="geheim bericht"
    )
    assert caplog.records
    assert "31612345678" not in caplog.text and "BSN" not in caplog.text and "geheim" not in caplog.text
    assert "test-rasa-token" not in caplog.text
