"""Review finding 8 (inbox items): notes and close check the assignee; the first ticket's
transcript starts at the current conversation session; no-store caching; HSTS and
Permissions-Policy; an idle timeout for inbox sessions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import select, update

from gateway.core.models import Message, utcnow
from gateway.core.security import content_security_policy
from gateway.inbox import security, service
from gateway.inbox.models import Note, Ticket
from tests.support.fake_rasa import FakeRasa
from tests.support.inbox import (
    BASE_URL,
    Gateway,
    add_consultant,
    chat,
    hand_off,
    login,
    make_settings,
    running,
    scripted_reply,
)

REPO = Path(__file__).resolve().parents[3]


async def second_consultant(gateway: Gateway) -> tuple[httpx.AsyncClient, str]:
    add_consultant(gateway.app, email="bob@voorbeeldstad.nl", name="Bob")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.app), base_url=BASE_URL)
    return client, await login(client, email="bob@voorbeeldstad.nl")


async def test_a_colleague_cannot_add_notes_to_or_close_a_ticket_someone_else_claimed(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    anna_csrf = await login(gateway.client)
    assert (await gateway.client.post("/inbox/api/tickets/1/claim", headers={"X-CSRF-Token": anna_csrf})).status_code == 200

    bob, bob_csrf = await second_consultant(gateway)
    try:
        headers = {"X-CSRF-Token": bob_csrf}
        note = await bob.post("/inbox/api/tickets/1/notes", json={"text": "Bob was hier"}, headers=headers)
        close = await bob.post("/inbox/api/tickets/1/close", json={"reason": "beantwoord"}, headers=headers)
        form_note = await bob.post("/inbox/tickets/1/notes", data={"text": "Bob via formulier", "csrf_token": bob_csrf})
        form_close = await bob.post("/inbox/tickets/1/close", data={"reason": "dubbel", "csrf_token": bob_csrf})
    finally:
        await bob.aclose()
    assert (note.status_code, close.status_code) == (409, 409)
    assert (form_note.status_code, form_close.status_code) == (303, 303)
    with gateway.db() as session:
        assert session.scalars(select(Note)).all() == []
        assert session.get(Ticket, 1).state == "assigned"

    # the assignee still can
    headers = {"X-CSRF-Token": anna_csrf}
    assert (await gateway.client.post("/inbox/api/tickets/1/notes", json={"text": "Anna"}, headers=headers)).status_code == 200
    assert (await gateway.client.post("/inbox/api/tickets/1/close", json={"reason": "beantwoord"}, headers=headers)).status_code == 200


def test_the_session_gap_matches_the_bots_session_expiration_time() -> None:
    domain = yaml.safe_load((REPO / "bot" / "domain" / "_shared.yml").read_text(encoding="utf-8"))
    minutes = domain["session_config"]["session_expiration_time"]
    assert service.SESSION_GAP == timedelta(minutes=minutes)


async def test_the_first_tickets_transcript_starts_at_the_current_conversation_session(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await chat(gateway.client, "Mijn oude vraag van vorige maand")
    with gateway.db() as session:  # that conversation session was weeks ago
        session.execute(update(Message).values(created_at=utcnow() - timedelta(days=30)))
        session.commit()
    await hand_off(gateway.client)
    await login(gateway.client)
    texts = [item["text"] for item in (await gateway.client.get("/inbox/api/tickets/1")).json()["timeline"]]
    assert "Mijn oude vraag van vorige maand" not in texts
    assert {"Wat is een PIP?", "ik wil een mens", "ja"} <= set(texts)


async def test_inbox_pages_and_api_answers_are_not_stored_by_browsers_or_proxies(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    await hand_off(gateway.client)
    anonymous = [await gateway.client.get(p) for p in ("/inbox/login", "/inbox", "/inbox/api/tickets")]
    await login(gateway.client)
    logged_in = [await gateway.client.get(p) for p in ("/inbox", "/inbox/tickets/1", "/inbox/api/tickets", "/inbox/api/tickets/1", "/inbox/stats")]
    for response in anonymous + logged_in:
        assert response.headers.get("cache-control") == "no-store", response.request.url


@pytest.mark.parametrize("public_url,hsts", [("https://wegwijs.voorbeeldstad.nl", True), ("http://127.0.0.1:8000", False)])
async def test_hsts_only_over_https_and_a_permissions_policy_always(tmp_path: Path, public_url: str, hsts: bool) -> None:
    settings = make_settings(tmp_path, public_base_url=public_url)
    async with running(settings, FakeRasa(reply=scripted_reply)) as (_app, client):
        for path in ("/", "/inbox/login", "/healthz"):
            response = await client.get(path)
            assert ("strict-transport-security" in response.headers) is hsts
            if hsts:
                assert response.headers["strict-transport-security"].startswith("max-age=")
            policy = response.headers["permissions-policy"]
            assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy
            if not path.startswith("/docs"):
                assert response.headers["content-security-policy"] == content_security_policy(public_url)


async def test_an_inbox_session_ends_after_the_idle_timeout_and_activity_keeps_it(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_consultant(gateway.app)
    await login(gateway.client)
    idle = timedelta(minutes=gateway.settings.inbox_idle_minutes)
    start = utcnow()

    def at(delta: timedelta) -> None:
        monkeypatch.setattr(security, "utcnow", lambda: start + delta)

    at(idle - timedelta(minutes=5))
    assert (await gateway.client.get("/inbox")).status_code == 200  # activity: the idle clock restarts
    at(2 * idle - timedelta(minutes=10))  # past the first deadline, within the moved one
    assert (await gateway.client.get("/inbox/api/tickets", headers={"X-Wegwijs-Poll": "1"})).status_code == 200
    at(2 * idle - timedelta(minutes=6))
    assert (await gateway.client.get("/inbox")).status_code == 200  # activity again: until 3 * idle - 6 min
    at(3 * idle - timedelta(minutes=10))
    assert (await gateway.client.get("/inbox/api/tickets", headers={"X-Wegwijs-Poll": "1"})).status_code == 200
    at(3 * idle - timedelta(minutes=4))  # the background refresh did not count as activity
    assert (await gateway.client.get("/inbox/api/tickets", headers={"X-Wegwijs-Poll": "1"})).status_code == 401
    assert (await gateway.client.get("/inbox")).status_code == 303


async def test_the_page_refresh_script_marks_its_requests_as_background(gateway: Gateway) -> None:
    script = (REPO / "gateway" / "inbox" / "static" / "inbox.js").read_text(encoding="utf-8")
    assert '"X-Wegwijs-Poll": "1"' in script
