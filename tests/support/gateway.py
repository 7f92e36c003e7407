"""Fixtures for gateway tests: test settings on a temporary SQLite file, a fake Rasa, a client.

The channel tests (Telegram, WhatsApp) override `settings` (their channel pointed at a fake
platform API) and `fake_rasa` (the scripted `engine`), and use `app`/`client` from here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select

from channels.app import create_app
from gateway.core import engine as engine_module
from gateway.core.config import Settings
from tests.fakes import engine_script
from tests.support.fake_rasa import FakeRasa

BASE_URL = "http://testserver"
PUBLIC_BASE = "https://gateway.test"  # the channel tests' public URL (webhooks and media links)


def test_tracker_db(tmp_path: Path) -> str:
    """A tracker database of the test (Rasa's `events` table), never the repository's var/trackers.db."""
    import sqlite3

    path = tmp_path / "trackers.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
            "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
            "action_name VARCHAR(255), data TEXT)"
        )
    return f"sqlite:///{path}"


test_tracker_db.__test__ = False  # type: ignore[attr-defined]


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "development",  # explicitly, as scripts/run and scripts/test do (production is the default)
        "tracker_url": test_tracker_db(tmp_path),
        "database_url": f"sqlite:///{tmp_path / 'gateway.db'}",
        "rasa_url": "http://rasa.test",
        "rasa_token": "test-rasa-token",
        "secret_key": "test-secret-key",
        "public_base_url": BASE_URL,
        "engine_retries": 2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def channel_settings(tmp_path: Path, channel: dict[str, object], **overrides: object) -> Settings:
    """Settings with one messaging channel configured: its values, then the test's overrides."""
    return make_settings(tmp_path, **{"public_base_url": PUBLIC_BASE, **channel, **overrides})


def stored(app: FastAPI, model: type) -> list[Any]:
    """All rows of `model` in the app's database, oldest first."""
    with app.state.session_factory() as session:
        return list(session.scalars(select(model).order_by(model.id)))


@asynccontextmanager
async def running(settings: Settings, fake: FakeRasa) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """Start the app (lifespan: migrations, engine client) and give an HTTP client for it."""
    app = create_app(settings, engine_transport=fake.transport())
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
            yield app, client


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BACKOFF_BASE_S", 0.0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def engine() -> FakeRasa:
    """The scripted fake Rasa (tests/fakes/engine_script.py) that the channel tests talk to."""
    return FakeRasa(reply=engine_script.scripted_reply)


@pytest_asyncio.fixture
async def app_client(
    settings: Settings, fake_rasa: FakeRasa
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(settings, fake_rasa) as pair:
        yield pair


@pytest.fixture
def app(app_client: tuple[FastAPI, httpx.AsyncClient]) -> FastAPI:
    return app_client[0]


@pytest.fixture
def client(app_client: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_client[1]
