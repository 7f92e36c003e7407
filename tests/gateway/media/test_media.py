"""The "deadlines" custom payload: image and calendar messages with signed media URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from tests.support.fake_rasa import FakeRasa

pytestmark = pytest.mark.asyncio
API = "/webchat/api/messages"
SESSION = "media-session-01"
DEADLINES_INPUT = {"pip_date": "2024-02-29", "today": "2025-06-01", "hours_bow": 200}


def bot_sends_deadlines(fake: FakeRasa, lang: str = "nl") -> None:
    fake.reply = lambda body: [
        {"recipient_id": body["sender"], "text": "Dit zijn uw termijnen."},
        {
            "recipient_id": body["sender"],
            "custom": {"wegwijs": {"type": "deadlines", "input": DEADLINES_INPUT, "lang": lang}},
        },
    ]


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def ask(client: httpx.AsyncClient) -> list[dict]:
    return (await client.post(API, json={"session_id": SESSION, "text": "mijn termijnen"})).json()["messages"]


async def test_a_deadlines_payload_becomes_an_image_and_a_calendar_file_message(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    text, image, document, *_ = await ask(client)  # then the offer of check-ins
    assert text["text"] == "Dit zijn uw termijnen."
    assert image["image_url"].startswith(f"http://testserver/media/deadlines/{image['id']}.png?t=")
    assert document["document_url"].startswith(f"http://testserver/media/deadlines/{image['id']}.ics?t=")
    assert document["document_name"] == "wegwijs-termijnen.ics"


async def test_the_stored_input_is_not_exposed_to_clients(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await ask(client)
    history = (await client.get(API, params={"session_id": SESSION})).text
    assert (
        "2024-02-29" not in history
        and "data" not in (await client.get(API, params={"session_id": SESSION})).json()["messages"][2]
    )


async def test_the_deadlines_payload_sets_the_conversation_language(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa, lang="en")
    _, _, document, *_ = await ask(client)
    assert document["document_name"] == "wegwijs-deadlines.ics"


@pytest.mark.parametrize("extension", ["png", "ics"])
async def test_media_without_a_valid_signature_is_not_found(
    client: httpx.AsyncClient, fake_rasa: FakeRasa, extension: str
) -> None:
    bot_sends_deadlines(fake_rasa)
    _, image, *_ = await ask(client)
    # 404, not 403: a refused link does not tell whether the message exists (review finding 2)
    assert (await client.get(f"/media/deadlines/{image['id']}.{extension}")).status_code == 404
    assert (await client.get(f"/media/deadlines/{image['id']}.{extension}?sig=0000")).status_code == 404


async def test_a_message_that_is_not_a_deadline_answer_has_no_media(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from gateway.media.deadlines import media_url

    [reply] = (await client.post(API, json={"session_id": SESSION, "text": "hoi"})).json()["messages"]
    url = media_url(app.state.settings, reply["id"], "any-token", "png")
    assert (await client.get(local(url))).status_code == 404


async def test_the_timeline_image_is_rendered_from_the_stored_input(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    pytest.importorskip("gateway.media.timeline")
    bot_sends_deadlines(fake_rasa)
    _, image, *_ = await ask(client)
    response = await client.get(local(image["image_url"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n") and len(response.content) > 1000


async def test_the_calendar_file_is_rendered_from_the_stored_input(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    icalendar = pytest.importorskip("icalendar")
    pytest.importorskip("gateway.media.calendar_ics")
    from datetime import date

    bot_sends_deadlines(fake_rasa)
    _, _, document, *_ = await ask(client)
    response = await client.get(local(document["document_url"]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert date(2027, 2, 28) in {event.decoded("dtstart") for event in calendar.walk("VEVENT")}
