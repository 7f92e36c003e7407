"""Linking across channels: she is in the web chat, he sends her code on Telegram or WhatsApp and
sees her timeline there (the real channel clients against the fake platform APIs)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from gateway.core.config import Settings
from gateway.referents.texts import ACCESS_ENDED, LINKED, MIGRANT_LINKED, VIEW_HEADING
from knowledge.deadlines import format_date
from knowledge.loader import municipalities
from tests.channels.telegram import test_telegram as tg
from tests.channels.whatsapp import test_whatsapp as wa
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.whatsapp_graph import FakeWhatsAppGraph
from tests.gateway.referents.helpers import SECRET_QUESTION, bot_sends_deadlines, history, links, say, share
from tests.gateway.referents.test_referents import DATES
from tests.support.fake_rasa import FakeRasa

pytestmark = pytest.mark.asyncio
HER = "migrant-web-2"
telegram_server = tg.telegram_server  # module-scoped fake Bot API
graph_server = wa.graph_server  # module-scoped fake Graph API


@pytest.fixture
def fake_rasa() -> FakeRasa:
    fake = FakeRasa()
    bot_sends_deadlines(fake)
    return fake


@pytest.fixture
def telegram(telegram_server: tuple[FakeTelegramAPI, str]) -> FakeTelegramAPI:
    fake = telegram_server[0]
    fake.reset()
    return fake


@pytest.fixture
def graph(graph_server: tuple[FakeWhatsAppGraph, str]) -> FakeWhatsAppGraph:
    fake = graph_server[0]
    fake.reset()
    # a conversation of a municipality with its own number is written to from that number (tenancy)
    fake.other_phone_number_ids = tuple(
        str(m.kanalen["whatsapp_phone_number_id"]) for m in municipalities().values()
        if m.kanalen.get("whatsapp_phone_number_id")
    )
    return fake


@pytest.fixture
def settings(
    tmp_path: Path,
    telegram: FakeTelegramAPI,
    telegram_server: tuple[FakeTelegramAPI, str],
    graph: FakeWhatsAppGraph,
    graph_server: tuple[FakeWhatsAppGraph, str],
) -> Settings:
    """Telegram and WhatsApp both on their fakes, the web chat as always."""
    channel = {
        "telegram_bot_token": tg.TOKEN, "telegram_webhook_secret": tg.SECRET,
        "telegram_api_base_url": telegram_server[1],
        "whatsapp_access_token": wa.ACCESS_TOKEN, "whatsapp_app_secret": wa.APP_SECRET,
        "whatsapp_verify_token": wa.VERIFY_TOKEN, "whatsapp_phone_number_id": wa.PHONE_NUMBER_ID,
        "whatsapp_api_base_url": graph_server[1], "whatsapp_template_name": wa.TEMPLATE,
    }
    return tg.channel_settings(tmp_path, channel, scheduler_enabled=False)


async def test_web_chat_to_telegram_link_view_revoke(
    app: FastAPI, client: httpx.AsyncClient, telegram: FakeTelegramAPI
) -> None:
    await say(client, HER, SECRET_QUESTION)
    code = await share(client, HER)
    telegram.reset()
    await tg.post_update(client, tg.text_update(code.lower()))
    (linked,) = telegram.of("sendMessage")
    assert linked.params["text"].startswith(LINKED["nl"])
    assert (await history(client, HER))[-1]["text"] == MIGRANT_LINKED["nl"]

    ((title, data),) = tg.keyboard(linked)
    tap = tg.fixture("callback_query", update_id=next(tg._next_update_id))
    tap["callback_query"]["data"] = data
    tap["callback_query"]["message"]["reply_markup"]["inline_keyboard"] = [[{"text": title, "callback_data": data}]]
    telegram.reset()
    await tg.post_update(client, tap)
    (photo,) = telegram.of("sendPhoto")
    assert photo.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")
    dates = telegram.of("sendMessage")[-1].params["text"]
    assert dates.startswith(VIEW_HEADING["nl"]) and format_date(DATES["termijn_end"], "nl") in dates
    assert all(SECRET_QUESTION not in c.params.get("text", "") for c in telegram.calls)
    assert telegram.errors == []

    telegram.reset()
    await say(client, HER, "stop delen")
    assert [c.params["text"] for c in telegram.of("sendMessage")] == [ACCESS_ENDED["nl"]]
    await tg.post_update(client, tg.text_update("/haar_data"))
    assert telegram.of("sendPhoto") == []


async def test_web_chat_to_whatsapp_link_view_and_her_erasure(
    app: FastAPI, client: httpx.AsyncClient, graph: FakeWhatsAppGraph
) -> None:
    code = await share(client, HER, reminders=False)
    await wa.post_webhook(client, wa.text_message(code.replace("-", " ")))
    assert graph.errors == []
    linked = graph.of("interactive")[-1]["interactive"]
    assert linked["body"]["text"].startswith(LINKED["nl"])
    (button,) = linked["action"]["buttons"]

    graph.reset()
    await wa.post_webhook(client, wa.interactive_reply("button_reply", button["reply"]["id"], button["reply"]["title"]))
    image = graph.check_media_id(graph.of("image")[0]["image"]["id"])
    assert image.media_type == "image/png" and image.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert format_date(DATES["termijn_end"], "nl") in graph.of("interactive")[-1]["interactive"]["body"]["text"]

    graph.reset()
    await say(client, HER, "/delete_my_data")
    assert links(app) == []
    assert wa.texts(graph) == [ACCESS_ENDED["nl"]], graph.errors
