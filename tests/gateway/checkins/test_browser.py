"""In real headless Chromium: the regievoerder's "Voortgang" shows a person's check-ins only after
she consented, and never a person who did not (her case view is a 404)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from channels.app import create_app
from gateway.checkins.service import COMMAND
from gateway.core.db import make_engine, make_session_factory, migrate
from gateway.inbox.security import create_consultant
from tests.fakes.server import serve
from tests.scale.services import free_port
from tests.support.fake_rasa import FakeRasa
from tests.support.inbox import PASSWORD, join_team, make_settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
FATIMA, OLGA = "fatima-session-0001", "olga-session-0001"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


def deadlines_reply(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The engine's answer to "mijn termijnen": a deadline answer (term until 1 September 2028)."""
    data = {"type": "deadlines", "input": {"pip_date": "2025-09-01", "hours_bow": 120}, "lang": "nl"}
    return [{"recipient_id": body["sender"], "custom": {"wegwijs": data}}]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[str, str]]:
    rasa = FakeRasa(token="e2e-rasa-token")
    rasa.reply = deadlines_reply
    rasa_port, gateway_port = free_port(), free_port()
    base = f"http://127.0.0.1:{gateway_port}"
    settings = make_settings(
        tmp_path, rasa_url=f"http://127.0.0.1:{rasa_port}", rasa_token="e2e-rasa-token", public_base_url=base,
        municipality="heidebeek", reminder_interval_s=1,
    )
    migrate(settings)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        anna = create_consultant(session=session, email="anna@voorbeeldstad.nl", name="Anna de Vries", password=PASSWORD)
        join_team(session, anna, settings.municipality)
        session.commit()
    engine.dispose()
    with serve(rasa.app(), port=rasa_port, lifespan="on", start_timeout=20), \
            serve(create_app(settings), port=gateway_port, lifespan="on", start_timeout=20):
        yield base, settings.database_url


def shoot(page, name: str) -> None:  # noqa: ANN001 - playwright Page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def chat(base: str, session_id: str, said: str) -> list[dict]:
    response = httpx.post(f"{base}/webchat/api/messages", json={"session_id": session_id, "text": said}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def press(base: str, session_id: str, title: str) -> list[dict]:
    """Press the newest check-in button with this title (what the web chat's button sends)."""
    messages = httpx.get(f"{base}/webchat/api/messages", params={"session_id": session_id}, timeout=30).json()["messages"]
    for message in reversed(messages):
        for button in message.get("buttons") or []:
            if button["title"] == title and button["payload"].startswith(COMMAND):
                return chat(base, session_id, button["payload"])
    raise AssertionError(f"no button {title!r}")


def wait_for_question(base: str, session_id: str) -> None:
    for _ in range(100):
        messages = httpx.get(f"{base}/webchat/api/messages", params={"session_id": session_id}).json()["messages"]
        if any((m.get("text") or "").startswith("Check-in van Wegwijs") for m in messages):
            return
        time.sleep(0.1)
    raise AssertionError("the check-in was not sent")


def test_the_regievoerder_sees_check_ins_only_after_consent_and_never_for_someone_who_did_not(
    stack: tuple[str, str],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, database_url = stack
    # Two people get their dates and opt in to check-ins.
    for person in (FATIMA, OLGA):
        chat(base, person, "mijn termijnen")
        press(base, person, "Ja, vraag me elke 12 weken hoe het gaat")
    # Twelve weeks pass (the check-ins fall due); the gateway's scheduler sends them.
    db = create_engine(database_url)
    with db.begin() as connection:
        connection.execute(text("UPDATE checkin_plans SET next_at = '2020-01-01 00:00:00', next_attempt_at = '2020-01-01 00:00:00'"))
        ids = dict(connection.execute(text(
            "SELECT c.channel_user_id, p.id FROM checkin_plans p JOIN conversations c ON c.id = p.conversation_id"
        )).all())
    db.dispose()
    for person in (FATIMA, OLGA):
        wait_for_question(base, person)
        press(base, person, "0 uur")
        press(base, person, "0")
        press(base, person, "Geld")  # both report a money problem and no lessons: both at risk

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            agent = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            expect.set_options(timeout=15_000)
            agent.goto(base + "/inbox/voortgang")
            expect(agent).to_have_url(re.compile(r"/inbox/login"))
            agent.fill("#email", "anna@voorbeeldstad.nl")
            agent.fill("#password", PASSWORD)
            agent.get_by_role("button", name="Inloggen").click()
            expect(agent).to_have_url(re.compile(r"/inbox/voortgang$"))

            # Nobody consented yet: the list is empty, and no case view opens.
            expect(agent.locator("#people")).to_contain_text("Niemand in deze lijst.")
            for person in (FATIMA, OLGA):
                assert agent.goto(f"{base}/inbox/voortgang/{ids[person]}").status == 404

            # Fatima says yes, Olga says no.
            (given,) = press(base, FATIMA, "Ja, dat mag")
            assert given["text"].startswith("Goed. De regievoerder ziet nu uw antwoorden.")
            (declined,) = press(base, OLGA, "Nee")
            assert declined["text"].startswith("Goed. Uw antwoorden blijven bij Wegwijs.")

            agent.goto(base + "/inbox/voortgang")
            rows = agent.locator("#people li.person")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(f"Inburgeraar #{ids[FATIMA]}")
            expect(rows.first).to_contain_text("600 uur pas na het einde van de termijn")
            expect(rows.first).to_contain_text("Meldt een probleem")
            expect(agent.locator(f'[data-person="{ids[OLGA]}"]')).to_have_count(0)
            expect(agent.get_by_role("link", name="Voortgang")).to_have_attribute("aria-current", "page")
            shoot(agent, "inbox-progress-list-desktop")
            agent.select_option("#filter-obstacle", "money")
            agent.get_by_role("button", name="Filter").click()
            expect(rows).to_have_count(1)
            agent.set_viewport_size({"width": 360, "height": 740})
            shoot(agent, "inbox-progress-list-360")
            agent.set_viewport_size({"width": 1280, "height": 900})

            # Her case view: dates, timeline image, check-in history, obstacles.
            rows.first.locator("a").click()
            expect(agent.locator("h1")).to_have_text(f"Inburgeraar #{ids[FATIMA]}")
            expect(agent.locator("#dates")).to_contain_text("1 september 2028")  # the legal end of her term
            expect(agent.locator("#history")).to_contain_text("Beantwoord")
            expect(agent.locator("#obstacles")).to_contain_text("Geld")
            image = agent.locator("#timeline-image")
            expect(image).to_be_visible()
            expect(image).to_have_js_property("naturalWidth", 1080)  # the PNG loaded (phone-sized, 1080 px)
            shoot(agent, "inbox-progress-case-desktop")
            agent.set_viewport_size({"width": 360, "height": 740})
            shoot(agent, "inbox-progress-case-360")

            # Olga's never opens; and once Fatima takes it back, hers is gone at once.
            assert agent.goto(f"{base}/inbox/voortgang/{ids[OLGA]}").status == 404
            assert agent.goto(f"{base}/inbox/voortgang/{ids[OLGA]}/tijdlijn.png").status == 404
            (revoked,) = chat(base, FATIMA, "regievoerder uit")
            assert revoked["text"] == "Goed. De regievoerder ziet uw antwoorden niet meer."
            assert agent.goto(f"{base}/inbox/voortgang/{ids[FATIMA]}").status == 404
            agent.goto(base + "/inbox/voortgang")
            expect(agent.locator("#people")).to_contain_text("Niemand in deze lijst.")
        finally:
            browser.close()
