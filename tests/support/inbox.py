"""Fixtures for inbox tests: the gateway on a temporary SQLite file, a scripted fake Rasa,
consultant accounts and a logged-in HTTP client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from argon2 import PasswordHasher
from fastapi import FastAPI

from gateway.core import engine as engine_module
from gateway.core.config import Settings
from gateway.inbox import security, teams
from gateway.inbox.models import ConsultantTeam
from gateway.inbox.security import create_consultant
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings as channel_settings
from tests.support.gateway import running  # noqa: F401 - used by the inbox tests

BASE_URL = "http://testserver"
PASSWORD = "correct horse battery staple"
CONSENT_AT = "2026-11-20T10:15:00+00:00"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def handoff_payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "handoff",
        "reason": "user_request",
        "consent_at": CONSENT_AT,
        "lang": "nl",
        "slots": {"pip_date": "2025-03-01", "decision_date": "2024-11-15"},
        "summary": "Wil weten of de termijn verlengd kan worden.",
    }
    data.update(overrides)
    return {"wegwijs": data}


def scripted_reply(body: dict[str, Any]) -> list[dict[str, Any]]:
    """What the coordinator's bot does, without a model: ask consent, then send the handoff payload."""
    text = body["message"].strip().lower()
    sender = body["sender"]
    if text == "ik wil een mens":
        return [{
            "recipient_id": sender,
            "text": "Een regievoerder ziet dit gesprek en de data die u gaf. Mag ik het doorsturen?",
            "buttons": [{"title": "Ja", "payload": "ja"}, {"title": "Nee", "payload": "nee"}],
        }]
    if text == "ja":
        return [
            {"recipient_id": sender, "custom": handoff_payload()},
            {"recipient_id": sender, "text": "Een medewerker reageert hier."},
        ]
    if text == "nee":
        return [{"recipient_id": sender, "text": "Goed, ik deel niets. U kunt de gemeente ook bellen: 14 0999."}]
    return [{"recipient_id": sender, "text": "Een PIP is uw persoonlijk plan inburgering en participatie."}]


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """The channel tests' settings, without engine retries (inbox tests script the engine's failures)."""
    return channel_settings(tmp_path, **{"secret_key": "test-secret-key-for-sessions", "engine_retries": 0, **overrides})


def join_team(session: Any, consultant: Any, municipality: str = "voorbeeldstad", slug: str = "default") -> None:
    """Put a consultant made outside `add_consultant` in a team serving `municipality`."""
    team = teams.find_team(session=session, slug=slug) or teams.create_team(session=session, slug=slug, name=slug)
    teams.add_municipality(session=session, team=team, municipality=municipality)
    teams.add_member(session=session, team=team, consultant=consultant)


def add_team(app: FastAPI, slug: str, municipalities: tuple[str, ...], **fields: Any) -> int:
    """A team serving these municipalities (found by its code when it exists)."""
    with app.state.session_factory() as session:
        team = teams.find_team(session=session, slug=slug) or teams.create_team(session=session, slug=slug, name=slug)
        for municipality in municipalities:
            teams.add_municipality(session=session, team=team, municipality=municipality)
        for key, value in fields.items():
            setattr(team, key, value)
        session.commit()
        return team.id


def add_consultant(
    app: FastAPI, email: str = "anna@voorbeeldstad.nl", name: str = "Anna de Vries",
    team: str | None = "default", municipalities: tuple[str, ...] | None = None, is_admin: bool = False,
) -> int:
    """A consultant account. By default in the team of the deployment's municipality (the
    settings' `municipality`, voorbeeldstad), so it sees the tickets of conversations without one;
    `team=None` for a consultant in no team."""
    if team is not None:
        served = municipalities if municipalities is not None else (app.state.settings.municipality,)
        team_id = add_team(app, team, served)
    with app.state.session_factory() as session:
        consultant = create_consultant(session=session, email=email, name=name, password=PASSWORD)
        consultant.is_admin = is_admin
        if team is not None:
            session.add(ConsultantTeam(consultant_id=consultant.id, team_id=team_id))
        session.commit()
        return consultant.id


def csrf_from(html: str) -> str:
    match = CSRF_META.search(html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)


async def login(client: httpx.AsyncClient, email: str = "anna@voorbeeldstad.nl", password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = await client.get("/inbox/login")
    token = csrf_from(page.text)
    response = await client.post(
        "/inbox/login", data={"email": email, "password": password, "csrf_token": token, "next": "/inbox"}
    )
    assert response.status_code == 303, response.text
    return csrf_from((await client.get("/inbox")).text)


async def chat(client: httpx.AsyncClient, text: str, session_id: str = "user-session-0001") -> list[dict[str, Any]]:
    response = await client.post("/webchat/api/messages", json={"session_id": session_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()["messages"]


async def hand_off(client: httpx.AsyncClient, session_id: str = "user-session-0001") -> list[dict[str, Any]]:
    await chat(client, "Wat is een PIP?", session_id)
    await chat(client, "ik wil een mens", session_id)
    return await chat(client, "ja", session_id)


@dataclass
class Gateway:
    app: FastAPI
    client: httpx.AsyncClient
    fake: FakeRasa
    settings: Settings

    def db(self):  # noqa: ANN201 - a Session context manager
        return self.app.state.session_factory()


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BACKOFF_BASE_S", 0.0)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with its cheapest parameters: same code path, milliseconds instead of a second."""
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa(reply=scripted_reply)


@pytest_asyncio.fixture
async def gateway(settings: Settings, fake_rasa: FakeRasa) -> AsyncIterator[Gateway]:
    async with running(settings, fake_rasa) as (app, client):
        yield Gateway(app, client, fake_rasa, settings)
