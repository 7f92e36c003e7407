"""Check-ins on WhatsApp: outside the 24-hour window the question waits behind the approved
notice template, and goes out (with its list of answers) when the person writes back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from gateway.core.models import Conversation, utcnow
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
from tests.gateway.checkins.support import bot_sends_deadlines, checkins, plans, set_clock
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import running

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def graph_server() -> Iterator[tuple[FakeWhatsAppGraph, str]]:
    fake = FakeWhatsAppGraph(access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID)
    with serve(fake.app()) as base_url:
        yield fake, base_url


def rows(message: dict) -> list[tuple[str, str]]:
    """(id, title or description) of an interactive list's rows, or of its reply buttons."""
    interactive = message["interactive"]
    if interactive["type"] == "list":
        return [(r["id"], r.get("description", r["title"])) for s in interactive["action"]["sections"] for r in s["rows"]]
    return [(b["reply"]["id"], b["reply"]["title"]) for b in interactive["action"]["buttons"]]


def choose(graph: FakeWhatsAppGraph, title: str) -> dict:
    """The webhook body of the person choosing `title` in the last interactive message."""
    message = next(m for m in reversed(graph.of("interactive")) if any(t == title for _, t in rows(m)))
    reply_id = next(i for i, t in rows(message) if t == title)
    kind = "list_reply" if message["interactive"]["type"] == "list" else "button_reply"
    return interactive_reply(kind, reply_id, title[:24])


async def test_a_check_in_outside_24_hours_goes_out_as_the_template_and_is_asked_when_the_person_writes(
    tmp_path, graph_server: tuple[FakeWhatsAppGraph, str]  # noqa: ANN001
) -> None:
    graph, base_url = graph_server
    graph.reset()
    fake = FakeRasa()
    bot_sends_deadlines(fake)
    settings = whatsapp_settings(tmp_path, base_url, municipality="heidebeek", scheduler_enabled=False)
    async with running(settings, fake) as (app, client):
        clock = set_clock(app)
        await post_webhook(client, text_message("/ask_deadlines"))
        await post_webhook(client, choose(graph, "Ja, vraag me elke 12 weken hoe het gaat"))
        assert graph.of("text")[-1]["text"]["body"].startswith("Goed. Op 23 februari 2027")
        (plan,) = plans(app)

        # 12 weeks later the person has not written for more than a day
        with app.state.session_factory() as session:
            conversation = session.scalars(select(Conversation)).one()
            # (the channel reads the real clock; the check-in service the test's)
            conversation.last_user_message_at = utcnow() - timedelta(hours=24, minutes=1)
            session.commit()
        graph.reset()
        clock.now = plan.next_at + timedelta(minutes=1)
        assert await app.state.checkins.send_due() == 1
        (template,) = graph.messages
        assert template["type"] == "template" and template["to"] == WA_ID
        assert template["template"]["name"] == settings.whatsapp_notice_template_name  # not a regievoerder's reply
        assert [c.status for c in checkins(app)] == ["open"]

        # the person writes back: the question is delivered first, with its answers as a list
        graph.reset()
        fake.reply = lambda body: [{"recipient_id": body["sender"], "text": "Hallo!"}]
        await post_webhook(client, text_message("Hoi"))
        question = graph.of("interactive")[0]
        assert question["interactive"]["body"]["text"].startswith("Check-in van Wegwijs")
        assert [t for _, t in rows(question)][:2] == ["0 uur", "1 tot 25 uur"]
        assert [m["text"]["body"] for m in graph.of("text")] == ["Hallo!"]

        # and can answer it with the list
        graph.reset()
        await post_webhook(client, choose_from(question, "26 tot 50 uur"))
        assert graph.of("interactive")[-1]["interactive"]["body"]["text"].startswith("Vraag 2 van 3")
        assert checkins(app)[0].hours == 38.0


def choose_from(message: dict, title: str) -> dict:
    reply_id = next(i for i, t in rows(message) if t == title)
    kind = "list_reply" if message["interactive"]["type"] == "list" else "button_reply"
    return interactive_reply(kind, reply_id, title[:24])
