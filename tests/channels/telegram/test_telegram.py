"""Telegram channel: the real python-telegram-bot client against a local fake Bot API.

Webhook updates are recorded real-format Update JSON (tests/fixtures/telegram/); the engine is
the scripted fake Rasa (tests/fakes/engine_script.py).
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from channels.telegram import mapping
from gateway.core.config import Settings
from gateway.core.models import Conversation, Message
from gateway.core.schemas import Button, OutgoingMessage
from gateway.reminders.texts import STOPPED_TEXT
from tests.fakes import engine_script
from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import PUBLIC_BASE, channel_settings, make_settings, running, stored

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "telegram"
TOKEN = "7000000001:AAFtestTokenForWegwijs"
SECRET = "wegwijs-telegram-webhook-secret_1"
CHAT_ID = 5550001234


def fixture(name: str, **changes: Any) -> dict[str, Any]:
    update = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "update_id":
            update["update_id"] = value
        elif key == "text":
            update["message"]["text"] = value
            if value.startswith("/"):
                command = value.split()[0]
                update["message"]["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
            else:
                update["message"].pop("entities", None)
    return update


_next_update_id = iter(range(900000000, 999999999))


def text_update(text: str) -> dict[str, Any]:
    return fixture("message_text", update_id=next(_next_update_id), text=text)


@pytest.fixture(scope="module")
def telegram_server() -> Iterator[tuple[FakeTelegramAPI, str]]:
    fake = FakeTelegramAPI(token=TOKEN)
    with serve(fake.app()) as base_url:
        yield fake, base_url


@pytest.fixture
def telegram(telegram_server: tuple[FakeTelegramAPI, str]) -> FakeTelegramAPI:
    fake = telegram_server[0]
    fake.reset()
    fake.webhook = {}
    fake.updates.clear()
    return fake


def telegram_settings(tmp_path: Path, base_url: str, **overrides: object) -> Settings:
    channel = {
        "telegram_bot_token": TOKEN, "telegram_webhook_secret": SECRET, "telegram_api_base_url": base_url,
    }
    return channel_settings(tmp_path, channel, **overrides)


@pytest.fixture
def settings(
    tmp_path: Path, telegram: FakeTelegramAPI, telegram_server: tuple[FakeTelegramAPI, str]
) -> Settings:
    """The gateway behind conftest's `app`/`client`: Telegram on the (freshly reset) fake Bot API."""
    return telegram_settings(tmp_path, telegram_server[1])


@pytest.fixture
def fake_rasa(engine: FakeRasa) -> FakeRasa:
    return engine


async def post_update(
    client: httpx.AsyncClient, update: dict[str, Any], secret: str | None = SECRET
) -> httpx.Response:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return await client.post("/telegram/webhook", json=update, headers=headers)


def sent_texts(telegram: FakeTelegramAPI) -> list[str]:
    return [c.params["text"] for c in telegram.of("sendMessage")]


def keyboard(call: Any) -> list[tuple[str, str]]:
    markup = json.loads(call.params["reply_markup"])
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


# -- start-up and security -----------------------------------------------------------------
async def test_on_start_up_the_webhook_is_set_to_the_public_url_with_the_secret_token(
    app: FastAPI, telegram: FakeTelegramAPI
) -> None:
    assert [c.method for c in telegram.calls][:2] == ["getMe", "setWebhook"]
    assert telegram.webhook == {
        "url": f"{PUBLIC_BASE}/telegram/webhook",
        "secret_token": SECRET,
        "allowed_updates": ["message", "callback_query"],
    }
    assert telegram.errors == []


@pytest.mark.parametrize(
    ("secret", "status"),
    [(None, 401), ("wrong-secret", 403), (SECRET[:-1], 403), (SECRET + "x", 403)],
    ids=["missing secret", "wrong secret", "secret prefix", "secret with extra character"],
)
async def test_an_update_without_the_right_secret_token_is_rejected_and_nothing_is_processed(
    app: FastAPI,
    client: httpx.AsyncClient,
    telegram: FakeTelegramAPI,
    engine: FakeRasa,
    secret: str | None,
    status: int,
) -> None:
    telegram.reset()
    response = await post_update(client, text_update(engine_script.FAQ_QUESTION), secret=secret)
    assert response.status_code == status
    assert telegram.calls == []
    assert engine.messages == []
    assert stored(app, Message) == []


async def test_the_secret_is_checked_before_the_body_is_parsed(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI
) -> None:
    response = await client.post(
        "/telegram/webhook", content=b"{not json", headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
    )
    assert response.status_code == 403
    response = await client.post(
        "/telegram/webhook", content=b"{not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 400


async def test_without_a_bot_token_the_telegram_webhook_does_not_exist(
    tmp_path: Path, engine: FakeRasa
) -> None:
    async with running(make_settings(tmp_path), engine) as (app, client):
        response = await post_update(client, text_update("hallo"))
    assert response.status_code == 404
    assert app.state.telegram is None


# -- conversations -------------------------------------------------------------------------
async def test_a_telegram_user_asks_a_faq_question_and_gets_the_answer_with_buttons(
    app: FastAPI, client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    response = await post_update(client, fixture("message_text"))
    assert response.status_code == 200

    assert [c.method for c in telegram.calls] == ["sendChatAction", "sendMessage"]
    assert telegram.calls[0].params == {"chat_id": str(CHAT_ID), "action": "typing"}
    answer = telegram.calls[1]
    assert answer.params["chat_id"] == str(CHAT_ID)
    assert answer.params["text"] == engine_script.FAQ_ANSWER
    assert keyboard(answer) == [("Mijn termijn", "/ask_deadlines"), ("Praat met een mens", "/ask_human")]
    assert telegram.errors == []
    assert [m.body["message"] for m in engine.messages] == [engine_script.FAQ_QUESTION]
    conversation = stored(app, Conversation)[0]
    assert (conversation.channel, conversation.channel_user_id) == ("telegram", str(CHAT_ID))
    inbound = stored(app, Message)[0]
    assert (inbound.direction, inbound.platform_message_id) == ("in", "update:731824101")


async def test_a_button_tap_answers_the_callback_query_and_sends_the_payload_to_the_engine(
    app: FastAPI, client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    assert (await post_update(client, fixture("callback_query"))).status_code == 200

    assert telegram.calls[0].method == "answerCallbackQuery"
    assert telegram.calls[0].params["callback_query_id"] == "4382bfdwdsb323b2d9"
    assert engine.messages[0].body["message"] == "/ask_deadlines"
    user_message = stored(app, Message)[0]
    assert user_message.payload == {"display_text": "Mijn termijn"}


async def test_a_user_asking_for_deadlines_gets_the_timeline_picture_and_the_calendar_file(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI
) -> None:
    telegram.reset()
    await post_update(client, text_update("/ask_deadlines"))

    assert sent_texts(telegram)[:1] == [engine_script.DEADLINES_TEXT]  # then the offer of check-ins
    (photo,) = telegram.of("sendPhoto")
    assert photo.params["chat_id"] == str(CHAT_ID)
    assert photo.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")
    (document,) = telegram.of("sendDocument")
    assert document.filenames["document"] == "wegwijs-termijnen.ics"
    assert document.files["document"].startswith(b"BEGIN:VCALENDAR")
    assert telegram.errors == []


async def test_a_user_asking_for_a_person_receives_the_regievoerders_reply(
    app: FastAPI, client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    await post_update(client, text_update("/mens"))
    assert engine.messages[-1].body["message"] == "/ask_human"
    assert sent_texts(telegram) == [engine_script.HANDOFF_TEXT]

    conversation_id = stored(app, Conversation)[0].id
    reply = OutgoingMessage(
        text="Goedemiddag, ik ben Sanne, uw regievoerder. Uw PIP-gesprek is op 3 december.",
        sender="consultant",
    )
    await app.state.conversations.deliver(conversation_id, [reply])

    assert sent_texts(telegram)[-1] == reply.text
    assert telegram.of("sendMessage")[-1].params["chat_id"] == str(CHAT_ID)
    assert telegram.errors == []


async def test_a_duplicated_update_produces_one_answer(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    update = text_update(engine_script.FAQ_QUESTION)
    first = await post_update(client, update)
    second = await post_update(client, copy.deepcopy(update))
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(engine.messages) == 1
    assert sent_texts(telegram) == [engine_script.FAQ_ANSWER]


async def test_when_the_engine_is_down_the_message_is_kept_and_the_user_gets_an_apology(
    app: FastAPI, client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    engine.down = True
    await post_update(client, text_update("Hoeveel uur les moet ik volgen?"))
    assert sent_texts(telegram) == [
        "Sorry, de assistent is even niet bereikbaar. Probeer het over een paar minuten opnieuw."
    ]
    inbound = [m for m in stored(app, Message) if m.direction == "in"]
    assert [m.text for m in inbound] == ["Hoeveel uur les moet ik volgen?"]


async def test_a_button_payload_longer_than_64_bytes_travels_as_a_short_key_and_resolves_back(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    await post_update(client, text_update("/long_button"))
    ((title, data),) = keyboard(telegram.of("sendMessage")[-1])
    assert len(data.encode()) <= 64 and data != engine_script.LONG_PAYLOAD
    assert telegram.errors == []

    tap = fixture("callback_query", update_id=next(_next_update_id))
    tap["callback_query"]["data"] = data
    tap["callback_query"]["message"]["reply_markup"]["inline_keyboard"] = [
        [{"text": title, "callback_data": data}]
    ]
    await post_update(client, tap)
    assert engine.messages[-1].body["message"] == engine_script.LONG_PAYLOAD


async def test_an_unknown_short_key_asks_the_user_to_type_the_question(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    tap = fixture("callback_query")
    tap["callback_query"]["data"] = mapping.short_key("/gone")
    await post_update(client, tap)
    assert engine.messages == []
    assert sent_texts(telegram) == [mapping.EXPIRED_BUTTON_TEXT["nl"]]


# -- commands ------------------------------------------------------------------------------
async def test_start_greets_says_what_the_bot_can_do_and_has_a_privacy_line_without_asking_the_engine(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    await post_update(client, fixture("message_command"))
    (greeting,) = sent_texts(telegram)
    assert greeting == mapping.START_TEXT["nl"]
    assert "Privacy" in greeting and "/verwijder" in greeting and "/mens" in greeting
    assert engine.messages == []


@pytest.mark.parametrize(
    ("command", "engine_text"),
    [
        ("/taal", "/switch_language"),
        ("/taal en", '/switch_language{"language_choice": "en"}'),
        ("/mens", "/ask_human"),
        ("/verwijder", "/delete_my_data"),
    ],
)
async def test_commands_reach_the_engine_as_intents(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa, command: str, engine_text: str
) -> None:
    await post_update(client, text_update(command))
    assert engine.messages[-1].body["message"] == engine_text


async def test_stop_acknowledges_that_no_more_reminders_are_sent(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    await post_update(client, text_update("/stop"))
    assert sent_texts(telegram) == [STOPPED_TEXT["nl"]]
    assert engine.messages == []  # the reminders interceptor answers it


async def test_a_photo_from_the_user_gets_a_polite_text_only_answer(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI, engine: FakeRasa
) -> None:
    telegram.reset()
    await post_update(client, fixture("message_photo"))
    assert sent_texts(telegram) == [mapping.UNSUPPORTED_TEXT["nl"]]
    assert engine.messages == []


# -- rate limit ----------------------------------------------------------------------------
async def test_over_the_rate_limit_a_sender_gets_one_polite_message_then_nothing(
    tmp_path: Path, telegram: FakeTelegramAPI, telegram_server: tuple[FakeTelegramAPI, str], engine: FakeRasa
) -> None:
    settings = telegram_settings(tmp_path, telegram_server[1], channel_rate_limit_per_minute=3)
    async with running(settings, engine) as (_, client):
        telegram.reset()
        for i in range(6):
            await post_update(client, text_update(f"vraag {i}"))
    assert len(engine.messages) == 3
    assert sent_texts(telegram) == [
        "Antwoord op: vraag 0",
        "Antwoord op: vraag 1",
        "Antwoord op: vraag 2",
        "U stuurt veel berichten kort na elkaar. Wacht een minuut en stuur uw vraag dan opnieuw.",
    ]


# -- privacy -------------------------------------------------------------------------------
async def test_logs_never_contain_the_message_or_the_chat_id(
    client: httpx.AsyncClient, telegram: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    update = text_update("Mijn BSN is 123456782")
    await post_update(client, update)
    await post_update(client, update)  # the duplicate is logged with a hashed id
    await post_update(client, update, secret="wrong")
    assert "123456782" not in caplog.text
    assert str(CHAT_ID) not in caplog.text
    assert TOKEN not in caplog.text


# -- polling -------------------------------------------------------------------------------
async def test_in_polling_mode_updates_are_fetched_and_answered_without_a_webhook(
    tmp_path: Path, telegram: FakeTelegramAPI, telegram_server: tuple[FakeTelegramAPI, str], engine: FakeRasa
) -> None:
    settings = telegram_settings(
        tmp_path, telegram_server[1], telegram_mode="polling", telegram_webhook_secret=None
    )
    telegram.updates.append(text_update(engine_script.FAQ_QUESTION))
    async with running(settings, engine) as (_, client):
        for _ in range(200):
            if telegram.of("sendMessage"):
                break
            await asyncio.sleep(0.02)
        assert (await post_update(client, text_update("hallo"))).status_code == 404
    assert "setWebhook" not in [c.method for c in telegram.calls]
    assert sent_texts(telegram) == [engine_script.FAQ_ANSWER]


# -- mapping -------------------------------------------------------------------------------
def test_callback_data_is_the_payload_when_it_fits_in_64_bytes() -> None:
    assert mapping.callback_data_for("/ask_human") == "/ask_human"
    long = "/choose_topic" + "é" * 30  # 13 + 60 bytes
    assert mapping.callback_data_for(long).startswith(mapping.SHORT_KEY_PREFIX)
    assert (
        mapping.resolve_callback_data(mapping.callback_data_for(long), [Button(title="x", payload=long)])
        == long
    )


def test_long_texts_are_split_on_line_breaks_within_telegrams_limit() -> None:
    text = ("regel " * 100 + "\n") * 20
    parts = mapping.split_text(text)
    assert len(parts) > 1
    assert all(len(part) <= mapping.TEXT_LIMIT for part in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


# -- settings ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "secret", [None, "", "has spaces", "x" * 257], ids=["missing", "empty", "spaces", "too long"]
)
def test_webhook_mode_refuses_a_missing_or_invalid_secret_token(tmp_path: Path, secret: str | None) -> None:
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_webhook_secret=secret)


def test_polling_mode_needs_no_webhook_secret(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_mode="polling")
    assert settings.telegram_webhook_secret is None


async def test_on_start_up_the_command_menu_is_set_in_every_language(
    app: FastAPI, telegram: FakeTelegramAPI
) -> None:
    from knowledge import languages

    assert set(telegram.commands) == {"", *languages.CODES}
    assert telegram.commands[""] == telegram.commands["nl"]
    assert telegram.commands["nl"]["verwijder"] == "Verwijder mijn gegevens"
    assert telegram.commands["en"]["verwijder"] == "Delete my data"
    # every language has the same commands; a translated language has its own descriptions
    assert all(set(menu) == set(telegram.commands["nl"]) for menu in telegram.commands.values())
