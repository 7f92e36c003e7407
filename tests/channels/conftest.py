"""Fixtures for gateway tests: test settings on a temporary SQLite file, a fake Rasa, a client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from channels.app import create_app
from channels.core import engine as engine_module
from channels.core.config import Settings
from tests.channels.fake_rasa import FakeRasa

BASE_URL = "http://testserver"


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'gateway.db'}",
        "rasa_url": "http://rasa.test",
        "rasa_token": "test-rasa-token",
        "secret_key": "test-secret-key",
        "public_base_url": BASE_URL,
        "engine_retries": 2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


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
