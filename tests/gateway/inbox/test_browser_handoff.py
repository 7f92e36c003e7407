"""End to end in real headless Chromium: web chat → consent → inbox → reply → close → bot again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.app import create_app
from gateway.core.db import make_engine, make_session_factory, migrate
from gateway.inbox.security import create_consultant
from gateway.inbox.service import RESUME_EVENTS
from tests.fakes.engine_script import HANDOFF_FAQ_ANSWER as FAQ_ANSWER
from tests.fakes.engine_script import handoff_script
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

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[str, FakeRasa]]:
    rasa = FakeRasa(token="e2e-rasa-token")
    rasa.reply = handoff_script(rasa.paused)
    rasa_port, gateway_port = free_port(), free_port()
    base = f"http://127.0.0.1:{gateway_port}"
    settings = make_settings(
        tmp_path, rasa_url=f"http://127.0.0.1:{rasa_port}", rasa_token="e2e-rasa-token", public_base_url=base
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
        yield base, rasa


def shoot(page, name: str) -> None:  # noqa: ANN001 - playwright Page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_web_chat_user_reaches_a_regievoerder_and_returns_to_the_bot(stack: tuple[str, FakeRasa]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, rasa = stack
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            user = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
            agent_context = browser.new_context(viewport={"width": 1280, "height": 900})
            agent = agent_context.new_page()
            expect.set_options(timeout=15_000)

            # The consultant logs in; the queue is empty.
            agent.goto(base + "/inbox")
            expect(agent).to_have_url(re.compile(r"/inbox/login"))
            agent.fill("#email", "anna@voorbeeldstad.nl")
            agent.fill("#password", PASSWORD)
            agent.get_by_role("button", name="Inloggen").click()
            expect(agent.locator("#tickets")).to_contain_text("Geen tickets")

            # The user asks for a person and consents.
            user.goto(base + "/")
            user.fill("#text", "Wat is een PIP?")
            user.press("#text", "Enter")
            expect(user.locator("#messages")).to_contain_text("persoonlijk plan inburgering")
            user.fill("#text", "ik wil een mens")
            user.press("#text", "Enter")
            expect(user.locator("#messages")).to_contain_text("Mag ik het doorsturen?")
            user.get_by_role("button", name="Ja").click()
            expect(user.locator("#messages")).to_contain_text("klaar voor een regievoerder van Voorbeeldstad")

            # The consultant's open queue shows the new ticket without a reload (live refresh).
            expect(agent.locator("#tickets")).to_contain_text("#1", timeout=15_000)
            expect(agent.locator("#tickets")).to_contain_text("Vroeg om een mens")
            shoot(agent, "inbox-queue-desktop")
            agent.set_viewport_size({"width": 360, "height": 740})
            shoot(agent, "inbox-queue-360")
            agent.set_viewport_size({"width": 1280, "height": 900})

            agent.locator("#tickets a").first.click()
            timeline = agent.locator("#timeline")
            expect(timeline).to_contain_text("ik wil een mens")
            expect(timeline).to_contain_text("persoonlijk plan inburgering")
            expect(agent.locator(".context")).to_contain_text("pip date")
            agent.locator("#claim").click()
            expect(agent.locator("#state")).to_have_text("In behandeling")

            # The consultant replies; the user sees it and answers; the consultant sees that.
            agent.fill("#reply", "Goedemiddag, ik ben Anna van de gemeente. Waarmee kan ik helpen?")
            agent.locator("#send-reply").click()
            expect(agent.locator(".flash")).to_contain_text("verstuurd")
            expect(user.locator("#messages .consultant")).to_contain_text("ik ben Anna", timeout=20_000)
            expect(user.locator("#messages .consultant")).to_contain_text("Regievoerder")
            calls_before = len(rasa.messages)
            user.fill("#text", "Ik kan de taalles niet betalen.")
            user.press("#text", "Enter")
            expect(user.locator("#messages")).to_contain_text("doorgestuurd naar de regievoerder")
            expect(timeline).to_contain_text("Ik kan de taalles niet betalen.", timeout=20_000)
            assert len(rasa.messages) == calls_before, "the bot must not be asked while a person answers"
            agent.fill("#note", "Verwijzen naar DUO-lening.")
            agent.locator("#add-note").click()
            expect(timeline).to_contain_text("Verwijzen naar DUO-lening.")
            shoot(agent, "inbox-ticket-desktop")
            agent.set_viewport_size({"width": 360, "height": 740})
            shoot(agent, "inbox-ticket-360")
            agent.set_viewport_size({"width": 1280, "height": 900})

            # The consultant closes; the bot answers the user's next question again.
            agent.select_option("#close-reason", "beantwoord")
            agent.locator("#close").click()
            expect(agent.locator("#state")).to_have_text("Gesloten")
            expect(user.locator("#messages")).to_contain_text("U praat nu weer met de digitale assistent", timeout=20_000)
            assert any(events == RESUME_EVENTS for _, events in rasa.events)
            user.fill("#text", "Wat is een PIP precies?")
            user.press("#text", "Enter")
            expect(user.locator("#messages li").last).to_contain_text(FAQ_ANSWER.split(" Bron")[0])
            shoot(user, "webchat-after-handoff-390")
            agent.goto(base + "/inbox/stats")
            expect(agent.locator("h1")).to_have_text("Statistieken")
            agent.set_viewport_size({"width": 360, "height": 740})
            shoot(agent, "inbox-stats-360")
        finally:
            browser.close()
