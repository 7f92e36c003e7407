"""The news editor in the inbox (login, preview, send, counts, teams) and the one-time offer."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gateway.core.conversation import ConversationRef, InboundMessage
from gateway.news.handlers import COMMAND, NewsCommands, offer
from gateway.news.models import NewsMessage
from tests.gateway.news.helpers import (
    NEWS_EN,
    NEWS_NL,
    add_team,
    conversation,
    set_municipality,
    web_say,
    web_subscriber,
)
from tests.support.inbox import Gateway, add_consultant, login

pytestmark = pytest.mark.asyncio
FORM_KEY = "a1" * 16


def form(token: str, municipality: str = "rivierdam", **extra: str) -> dict[str, str]:
    return {"csrf_token": token, "municipality": municipality, "form_key": FORM_KEY, "text_nl": NEWS_NL,
            "text_en": NEWS_EN, "link": "https://www.rivierdam.example/taalcafe", **extra}


async def test_an_editor_previews_sends_and_sees_the_counts(gateway: Gateway) -> None:
    app, client = gateway.app, gateway.client
    add_team(app, add_consultant(app), "rivierland", ["rivierdam", "voorbeeldstad"])
    await web_subscriber(app, client, "subscriber-one", "rivierdam")
    await web_subscriber(app, client, "subscriber-two", "rivierdam")
    assert (await client.get("/inbox/news")).status_code == 303  # login first
    token = await login(client)

    page = await client.get("/inbox/news")
    assert page.status_code == 200
    assert "Rivierdam (2 abonnees)" in page.text and "Heidebeek" not in page.text

    preview = await client.post("/inbox/news/preview", data=form(token))
    assert preview.status_code == 200
    assert "Dit bericht gaat naar 2 abonnee(s)." in preview.text
    assert "Nieuws van de gemeente Rivierdam:" in preview.text and NEWS_EN in preview.text
    assert "Nederlandse tekst" in preview.text  # tr, ar, pt get the Dutch text
    assert app.state.news.recent(["rivierdam"]) == []  # a preview sends nothing

    assert (await client.post("/inbox/news/preview", data=form(token, text_nl=""))).status_code == 422
    assert (await client.post("/inbox/news/preview", data=form(token, link="javascript:alert(1)"))).status_code == 422

    sent = await client.post("/inbox/news/send", data=form(token))
    assert sent.status_code == 303
    again = await client.post("/inbox/news/send", data=form(token))  # a double click: one message
    assert again.headers["location"] == sent.headers["location"]
    await web_say(client, "subscriber-two", "stop nieuws")
    assert await app.state.news.send_due() == 1

    detail = await client.get(sent.headers["location"])
    assert detail.status_code == 200
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', detail.text))
    assert counts == {"recipients": "2", "sent": "1", "failed": "0", "stopped": "1", "pending": "0"}
    assert (await client.post("/inbox/news/send", data={**form(token), "csrf_token": "wrong"})).status_code == 403


async def test_an_editor_cannot_send_to_or_read_a_municipality_outside_their_teams(gateway: Gateway) -> None:
    app, client = gateway.app, gateway.client
    add_team(app, add_consultant(app), "rivierland", ["rivierdam"])
    other = add_consultant(app, email="bert@heidebeek.nl", name="Bert")
    add_team(app, other, "heide", ["heidebeek"])
    await web_subscriber(app, client, "subscriber-heide", "heidebeek")
    token = await login(client)

    assert (await client.post("/inbox/news/preview", data=form(token, municipality="heidebeek"))).status_code == 404
    assert (await client.post("/inbox/news/send", data=form(token, municipality="heidebeek"))).status_code == 404
    with app.state.session_factory() as session:
        assert session.scalars(select(NewsMessage)).all() == []
    news_id, _ = app.state.news.create(
        municipality="heidebeek", texts={"nl": NEWS_NL}, link=None, consultant_id=other, form_key="b2" * 16
    )
    assert (await client.get(f"/inbox/news/{news_id}")).status_code == 404
    assert NEWS_NL not in (await client.get("/inbox/news")).text


def faq_reply(body: dict) -> list[dict]:
    """Shaped like the bot's FAQ answers: a source line, related topics and other buttons."""
    return [{"recipient_id": body["sender"],
             "text": f"Antwoord op: {body['message']}\nBron: https://www.inburgeren.nl/termijn",
             "buttons": [{"title": "Boete", "payload": '/choose_topic{"faq_topic": "boete"}'},
                         {"title": "Bereken mijn data", "payload": "/ask_deadlines"}]}]


def topic_menu(body: dict) -> list[dict]:
    return [{"recipient_id": body["sender"], "text": "Waar gaat uw vraag over?",
             "buttons": [{"title": "Boete", "payload": '/choose_topic{"faq_topic": "boete"}'},
                         {"title": "Termijn", "payload": '/choose_topic{"faq_topic": "termijn"}'}]}]


async def test_the_offer_comes_once_after_an_faq_answer_and_one_tap_subscribes(gateway: Gateway) -> None:
    app, client = gateway.app, gateway.client
    await web_say(client, "offer-user-1", "hallo")  # a plain answer: no offer
    set_municipality(app, "web", "offer-user-1", "rivierdam")
    gateway.fake.reply = topic_menu
    assert len(await web_say(client, "offer-user-1", "onderwerpen")) == 1  # a menu is not an answer: no offer
    gateway.fake.reply = faq_reply
    answer, offer = await web_say(client, "offer-user-1", "hoe lang heb ik?")
    assert offer["text"].startswith("Wilt u nieuws van uw gemeente ontvangen?")
    (button,) = offer["buttons"]
    assert button["title"] == "Nieuws van uw gemeente ontvangen" and button["payload"].startswith(COMMAND)
    assert len(await web_say(client, "offer-user-1", "wat kost het?")) == 1  # not offered again
    (confirmation,) = await web_say(client, "offer-user-1", button["payload"])
    assert confirmation["text"].startswith("Goed. U krijgt nu nieuws van de gemeente Rivierdam.")
    assert app.state.news.status(_conversation_id(app, "offer-user-1")) == "active"


async def test_without_a_municipality_there_is_no_offer_and_subscribing_is_politely_refused(gateway: Gateway) -> None:
    app = gateway.app
    await web_say(gateway.client, "no-place-user", "hallo")
    set_municipality(app, "web", "no-place-user", None)  # e.g. a shared number that has not asked yet
    ref = ConversationRef.of(conversation(app, "web", "no-place-user"))
    assert offer(app.state.news, ref) is None
    commands = NewsCommands(app.state.news)
    (refusal,) = await commands(InboundMessage(conversation=ref, text="nieuws aan", message_id=1))
    assert refusal.text is not None and refusal.text.startswith("Ik weet nog niet bij welke gemeente u hoort.")
    (answer,) = await commands(InboundMessage(conversation=ref, text="stop nieuws", message_id=2))
    assert answer.text is not None and answer.text.startswith("U krijgt geen nieuws van uw gemeente.")
    assert app.state.news.status(ref.id) is None


@pytest.mark.parametrize(
    ("on", "off"),
    [("news on", "stop news"), ("haberler", "haberleri durdur"), ("أريد الأخبار", "أوقف الأخبار"),
     ("notícias", "parar notícias"), ("/nieuws", "/stopnieuws")],
)
async def test_subscribe_and_stop_in_every_language(gateway: Gateway, on: str, off: str) -> None:
    app, client = gateway.app, gateway.client
    await web_say(client, "words-user-1", "hallo")
    set_municipality(app, "web", "words-user-1", "heidebeek")
    calls = len(gateway.fake.messages)
    await web_say(client, "words-user-1", on)
    assert app.state.news.status(_conversation_id(app, "words-user-1")) == "active"
    await web_say(client, "words-user-1", off)
    assert app.state.news.status(_conversation_id(app, "words-user-1")) == "stopped"
    assert len(gateway.fake.messages) == calls  # the engine never saw them


def _conversation_id(app, session_id: str) -> str:  # noqa: ANN001
    return conversation(app, "web", session_id).id
