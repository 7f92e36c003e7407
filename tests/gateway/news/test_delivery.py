"""News delivery: exactly the subscribers get it, once, on their own channel, across a restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.core.models import Conversation
from gateway.news.models import NewsDelivery, NewsSubscription
from gateway.privacy.erase import delete_user_data
from knowledge.loader import municipalities
from tests.channels.telegram.test_telegram import SECRET as TELEGRAM_SECRET
from tests.channels.telegram.test_telegram import TOKEN as TELEGRAM_TOKEN
from tests.channels.telegram.test_telegram import post_update, sent_texts, text_update
from tests.channels.whatsapp.test_whatsapp import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    WA_ID,
    post_webhook,
    text_message,
)
from tests.channels.whatsapp.test_whatsapp import texts as whatsapp_texts
from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.whatsapp_graph import FakeWhatsAppGraph
from tests.gateway.news.helpers import (
    NEWS_EN,
    NEWS_NL,
    FakeClock,
    set_municipality,
    texts_of,
    web_say,
    web_subscriber,
)
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings, running

pytestmark = pytest.mark.asyncio
CHAT_ID = "5550001234"  # the chat of tests/fixtures/telegram/message_text.json
LINK = "https://www.rivierdam.example/taalcafe"


@pytest.fixture(scope="module")
def telegram_server() -> Iterator[tuple[FakeTelegramAPI, str]]:
    fake = FakeTelegramAPI(token=TELEGRAM_TOKEN)
    with serve(fake.app()) as base_url:
        yield fake, base_url


@pytest.fixture(scope="module")
def graph_server() -> Iterator[tuple[FakeWhatsAppGraph, str]]:
    fake = FakeWhatsAppGraph(access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID)
    with serve(fake.app()) as base_url:
        yield fake, base_url


def three_channel_settings(tmp_path: Path, telegram_url: str, graph_url: str, **overrides: object):  # noqa: ANN201
    return make_settings(
        tmp_path,
        public_base_url="https://gateway.test",
        telegram_bot_token=TELEGRAM_TOKEN, telegram_webhook_secret=TELEGRAM_SECRET, telegram_api_base_url=telegram_url,
        whatsapp_access_token=ACCESS_TOKEN, whatsapp_app_secret=APP_SECRET, whatsapp_verify_token=VERIFY_TOKEN,
        whatsapp_phone_number_id=PHONE_NUMBER_ID, whatsapp_api_base_url=graph_url,
        scheduler_enabled=False, secret_key="test-secret-key-for-sessions",
        **overrides,
    )


@pytest.fixture
def fakes(
    telegram_server: tuple[FakeTelegramAPI, str], graph_server: tuple[FakeWhatsAppGraph, str]
) -> tuple[FakeTelegramAPI, FakeWhatsAppGraph]:
    telegram, graph = telegram_server[0], graph_server[0]
    telegram.reset()
    telegram.webhook = {}
    telegram.updates.clear()
    graph.reset()
    # a conversation of a municipality with its own number is written to from that number (tenancy)
    graph.other_phone_number_ids = tuple(
        str(m.kanalen["whatsapp_phone_number_id"]) for m in municipalities().values() if m.kanalen.get("whatsapp_phone_number_id")
    )
    return telegram, graph


def create_news(app, municipality: str = "rivierdam", key: str = "f" * 32) -> int:  # noqa: ANN001
    news_id, created = app.state.news.create(
        municipality=municipality, texts={"nl": NEWS_NL, "en": NEWS_EN}, link=LINK, consultant_id=None, form_key=key
    )
    assert created
    return news_id


async def test_one_message_reaches_three_subscribers_on_three_channels_exactly_once_across_a_restart(
    tmp_path: Path,
    fakes: tuple[FakeTelegramAPI, FakeWhatsAppGraph],
    telegram_server: tuple[FakeTelegramAPI, str],
    graph_server: tuple[FakeWhatsAppGraph, str],
) -> None:
    telegram, graph = fakes
    settings = three_channel_settings(tmp_path, telegram_server[1], graph_server[1])
    engine = FakeRasa()
    async with running(settings, engine) as (app, client):
        # the three subscribers of Rivierdam: web chat, Telegram, WhatsApp
        (subscribed,) = await web_subscriber(app, client, "web-subscriber-1", "rivierdam")
        assert subscribed["text"].startswith("Goed. U krijgt nu nieuws van de gemeente Rivierdam.")
        assert (await post_update(client, text_update("hallo"))).status_code == 200
        set_municipality(app, "telegram", CHAT_ID, "rivierdam")
        await post_update(client, text_update("/nieuws"))
        assert any(t.startswith("Goed. U krijgt nu nieuws") for t in sent_texts(telegram))
        await post_webhook(client, text_message("hallo"))
        set_municipality(app, "whatsapp", WA_ID, "rivierdam")
        await post_webhook(client, text_message("nieuws aan"))
        assert any(t.startswith("Goed. U krijgt nu nieuws") for t in whatsapp_texts(graph))
        # never subscribed; subscribed and stopped; subscribed in another municipality
        await web_say(client, "web-never", "hallo")
        set_municipality(app, "web", "web-never", "rivierdam")
        await web_subscriber(app, client, "web-stopped", "rivierdam")
        (stopped,) = await web_say(client, "web-stopped", "stop nieuws")
        assert stopped["text"].startswith("U krijgt geen nieuws meer")
        await web_subscriber(app, client, "web-elsewhere", "heidebeek")
        engine_calls = len(engine.messages)

        news_id = create_news(app)
        assert app.state.news.get(news_id).recipients == 3
        telegram.reset()
        graph.reset()
        assert await app.state.news.send_due(limit=1) == 1  # one delivered, then the gateway stops
    assert engine.messages[engine_calls:] == []  # subscribing and stopping never reached the engine

    async with running(settings, engine) as (app, client):  # a new gateway on the same database
        assert await app.state.news.send_due() == 2
        assert await app.state.news.send_due() == 0  # nothing is sent twice

        def received(texts: list[str]) -> int:
            return sum(NEWS_NL in t for t in texts)

        assert received(texts_of(app, "web", "web-subscriber-1")) == 1
        assert received(sent_texts(telegram)) == 1
        assert received(whatsapp_texts(graph)) == 1
        for user in ("web-never", "web-stopped", "web-elsewhere"):
            assert received(texts_of(app, "web", user)) == 0, user
        (news_message,) = [t for t in texts_of(app, "web", "web-subscriber-1") if NEWS_NL in t]
        assert news_message.startswith("Nieuws van de gemeente Rivierdam:")
        assert LINK in news_message and "stop nieuws" in news_message
        counts = app.state.news.counts([news_id])[news_id]
        assert (counts.sent, counts.failed, counts.stopped, counts.pending) == (3, 0, 0, 0)


async def test_a_subscriber_who_stops_before_delivery_is_counted_stopped_and_gets_nothing(
    tmp_path: Path, fakes: tuple[FakeTelegramAPI, FakeWhatsAppGraph]
) -> None:
    async with running(make_settings(tmp_path, scheduler_enabled=False), FakeRasa()) as (app, client):
        await web_subscriber(app, client, "web-user-a", "rivierdam")
        await web_subscriber(app, client, "web-user-b", "rivierdam")
        news_id = create_news(app)
        await web_say(client, "web-user-b", "/stopnieuws")  # typed by hand: read as the words "stopnieuws"
        assert await app.state.news.send_due() == 1
        assert sum(NEWS_NL in t for t in texts_of(app, "web", "web-user-b")) == 0
        counts = app.state.news.counts([news_id])[news_id]
        assert (counts.sent, counts.stopped) == (1, 1)


async def test_delivery_keeps_to_the_rate_limit_by_the_injected_clock(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, scheduler_enabled=False, news_messages_per_second=2.0)
    async with running(settings, FakeRasa()) as (app, client):
        for n in range(5):
            await web_subscriber(app, client, f"web-rate-{n}", "rivierdam")
        clock = FakeClock()
        app.state.news.clock, app.state.news.sleep = clock, clock.sleep
        start = clock.now
        create_news(app)
        assert await app.state.news.send_due() == 5
        with app.state.session_factory() as session:
            times = sorted(session.scalars(select(NewsDelivery.sent_at)))
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        assert gaps and all(gap >= 0.5 - 1e-6 for gap in gaps)  # 2 per second
        assert clock.now - start >= timedelta(seconds=2)  # 5 messages: 4 intervals of 0.5 s
        assert len(clock.sleeps) == 4


async def test_outside_the_24_hour_window_whatsapp_gets_the_template_and_the_news_when_the_user_writes(
    tmp_path: Path, fakes: tuple[FakeTelegramAPI, FakeWhatsAppGraph], telegram_server: tuple[FakeTelegramAPI, str],
    graph_server: tuple[FakeWhatsAppGraph, str],
) -> None:
    _, graph = fakes
    settings = three_channel_settings(tmp_path, telegram_server[1], graph_server[1])
    async with running(settings, FakeRasa()) as (app, client):
        await post_webhook(client, text_message("hallo"))
        set_municipality(app, "whatsapp", WA_ID, "rivierdam")
        await post_webhook(client, text_message("nieuws aan"))
        with app.state.session_factory() as session:
            row = session.scalars(select(Conversation).where(Conversation.channel == "whatsapp")).one()
            row.last_user_message_at = row.last_user_message_at - timedelta(hours=25)
            session.commit()
        graph.reset()
        create_news(app)
        assert await app.state.news.send_due() == 1
        (template,) = graph.messages
        assert template["type"] == "template"
        assert template["template"]["name"] == settings.whatsapp_notice_template_name
        assert not any(NEWS_NL in t for t in whatsapp_texts(graph))
        await post_webhook(client, text_message("hallo"))  # the user writes back: the news follows
        assert sum(NEWS_NL in t for t in whatsapp_texts(graph)) == 1


async def test_erasing_a_person_removes_their_subscription_and_deliveries(tmp_path: Path) -> None:
    async with running(make_settings(tmp_path, scheduler_enabled=False), FakeRasa()) as (app, client):
        await web_subscriber(app, client, "web-erase", "rivierdam")
        create_news(app)
        await app.state.news.send_due()
        with app.state.session_factory() as session:
            conversation_id = session.scalars(select(Conversation.id)).one()
            report = delete_user_data(session, conversation_id, tracker_url=None)
        assert report.rows.get("news_subscriptions") == 1 and report.rows.get("news_deliveries") == 1
        with app.state.session_factory() as session:
            assert session.scalars(select(NewsSubscription)).all() == []
            assert session.scalars(select(NewsDelivery)).all() == []
