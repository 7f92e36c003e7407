"""The regievoerder's view ("Voortgang"): only people who consented, the at-risk list sorted by
days left with its filters, the case view with the timeline, and revoking hides it at once."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from tests.gateway.checkins.support import answer_all, button, opt_in, plans, say, set_clock
from tests.support.fake_rasa import FakeRasa
from tests.support.inbox import add_consultant, login

pytestmark = pytest.mark.asyncio

# session -> (deadline input, language)
PEOPLE = {
    "ayse-0001": ({"pip_date": "2026-03-15", "hours_bow": 100}, "nl"),  # no lessons, health: late + obstacle
    "bora-0001": ({"pip_date": "2025-06-01", "hours_bow": 100}, "tr"),  # slow pace: late, fewest days left
    "carla-0001": ({"pip_date": "2025-09-01", "hours_bow": 100}, "nl"),  # money problem, but never consents
    "dana-0001": ({"pip_date": "2026-03-15", "hours_bow": 100}, "nl"),  # on time, nothing: not at risk
}
ANSWERS = {
    "ayse-0001": ("0 uur", "0", "Gezondheid", "Ja, dat mag"),
    "bora-0001": ("26 ile 50 saat", "0", "Hayır, hiçbir şey", "Evet, görebilir"),
    "carla-0001": ("0 uur", "0", "Geld", "Nee"),
    "dana-0001": ("Meer dan 150 uur", "1", "Nee, niets", "Ja, dat mag"),
}


async def people_check_in(app: FastAPI, client: httpx.AsyncClient, fake: FakeRasa) -> dict[str, int]:
    """Everyone opts in and answers one check-in; returns the plan id per person."""
    clock = set_clock(app)

    def reply(body: dict) -> list[dict]:
        with app.state.session_factory() as session:
            from gateway.core.models import Conversation

            user = session.get(Conversation, body["sender"]).channel_user_id
        deadline_input, lang = PEOPLE[user]
        return [{"recipient_id": body["sender"], "custom": {"wegwijs": {"type": "deadlines", "input": deadline_input, "lang": lang}}}]

    fake.reply = reply
    for name in PEOPLE:
        await opt_in(client, name)
    clock.now = plans(app)[0].next_at + timedelta(minutes=1)
    assert await app.state.checkins.send_due() == len(PEOPLE)
    ids = {}
    for name, (hours, exams, obstacle, consent) in ANSWERS.items():
        _, question = await answer_all(client, hours, exams, obstacle, name)
        await say(client, button(question, consent)["payload"], name)
    for plan in plans(app):
        with app.state.session_factory() as session:
            from gateway.core.models import Conversation

            ids[session.get(Conversation, plan.conversation_id).channel_user_id] = plan.id
    return ids


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-person="(\d+)"', html)]


async def test_the_at_risk_list_shows_only_people_who_consented_sorted_by_days_left_with_filters(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    ids = await people_check_in(app, client, fake_rasa)
    assert (await client.get("/inbox/voortgang")).status_code == 303  # login first
    add_consultant(app)
    await login(client)

    page = await client.get("/inbox/voortgang")
    assert page.status_code == 200 and "Voortgang" in page.text
    assert listed(page.text) == [ids["bora-0001"], ids["ayse-0001"]]  # Bora's term ends first; Carla never consented
    assert "600 uur pas na het einde van de termijn" in page.text and "Meldt een probleem" in page.text

    async def filtered(**query: str) -> list[int]:
        return listed((await client.get("/inbox/voortgang", params=query)).text)

    assert await filtered(obstacle="health") == [ids["ayse-0001"]]
    assert await filtered(obstacle="money") == []  # Carla's problem is not the municipality's to see
    assert await filtered(risk="obstacle") == [ids["ayse-0001"]]
    assert await filtered(risk="late") == [ids["bora-0001"], ids["ayse-0001"]]
    assert await filtered(language="tr") == [ids["bora-0001"]]
    assert await filtered(risk="all") == [ids["bora-0001"], ids["ayse-0001"], ids["dana-0001"]]
    assert await filtered(risk="nonsense") == [ids["bora-0001"], ids["ayse-0001"]]  # an unknown filter is ignored


async def test_the_case_view_shows_timeline_history_dates_and_obstacles_only_with_consent(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    ids = await people_check_in(app, client, fake_rasa)
    add_consultant(app)
    await login(client)

    case = await client.get(f"/inbox/voortgang/{ids['ayse-0001']}")
    assert case.status_code == 200
    text = case.text
    assert f"Inburgeraar #{ids['ayse-0001']}" in text
    assert "15 maart 2029" in text  # the legal end of the term
    assert "Gezondheid" in text and "Beantwoord" in text and "Nieuw risico" in text
    assert f'src="/inbox/voortgang/{ids["ayse-0001"]}/tijdlijn.png"' in text
    png = await client.get(f"/inbox/voortgang/{ids['ayse-0001']}/tijdlijn.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.headers["cache-control"] == "no-store"

    # Carla did not consent: her pages do not exist for the municipality
    assert (await client.get(f"/inbox/voortgang/{ids['carla-0001']}")).status_code == 404
    assert (await client.get(f"/inbox/voortgang/{ids['carla-0001']}/tijdlijn.png")).status_code == 404
    assert (await client.get("/inbox/voortgang/99999")).status_code == 404

    # Ayse revokes: hidden at once, in the list and the case view
    (answer,) = await say(client, "regievoerder uit", "ayse-0001")
    assert answer["text"] == "Goed. De regievoerder ziet uw antwoorden niet meer."
    assert (await client.get(f"/inbox/voortgang/{ids['ayse-0001']}")).status_code == 404
    assert (await client.get(f"/inbox/voortgang/{ids['ayse-0001']}/tijdlijn.png")).status_code == 404
    assert listed((await client.get("/inbox/voortgang", params={"risk": "all"})).text) == [ids["bora-0001"], ids["dana-0001"]]


async def test_the_pages_need_a_login(app: FastAPI, client: httpx.AsyncClient) -> None:
    for path in ("/inbox/voortgang", "/inbox/voortgang/1", "/inbox/voortgang/1/tijdlijn.png"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/inbox/login")
