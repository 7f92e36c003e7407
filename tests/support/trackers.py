"""Fixtures for privacy tests: the gateway on a temp SQLite file, a Rasa-style tracker database."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from gateway.core.config import Settings
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings, no_backoff, running  # noqa: F401 - fixture re-export


def make_tracker_db(path: Path) -> str:
    """A tracker database shaped like Rasa's SQLTrackerStore `events` table."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
            "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
            "action_name VARCHAR(255), data TEXT)"
        )
    return f"sqlite:///{path}"


def add_tracker_events(url: str, sender_id: str, timestamps: list[float]) -> None:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
            [(sender_id, t) for t in timestamps],
        )


def tracker_senders(url: str) -> list[str]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        return [row[0] for row in db.execute("SELECT sender_id FROM events ORDER BY id")]


@pytest.fixture
def tracker_url(tmp_path: Path) -> str:
    return make_tracker_db(tmp_path / "trackers.db")


@pytest.fixture
def settings(tmp_path: Path, tracker_url: str) -> Settings:
    return make_settings(tmp_path, tracker_url=tracker_url, scheduler_enabled=False)


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest_asyncio.fixture
async def app_client(settings: Settings, fake_rasa: FakeRasa) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(settings, fake_rasa) as pair:
        yield pair


@pytest.fixture
def app(app_client: tuple[FastAPI, httpx.AsyncClient]) -> FastAPI:
    return app_client[0]


@pytest.fixture
def client(app_client: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_client[1]
