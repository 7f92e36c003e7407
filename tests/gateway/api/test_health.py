"""`/healthz` checks the database; `/readyz` also reports the engine without failing on it."""

from __future__ import annotations

import httpx
import pytest

from tests.support.fake_rasa import FakeRasa

pytestmark = pytest.mark.asyncio


async def test_healthz_reports_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_readyz_reports_the_engine_up(client: httpx.AsyncClient) -> None:
    assert (await client.get("/readyz")).json() == {"status": "ok", "database": "ok", "engine": "up"}


async def test_readyz_reports_the_engine_down_without_failing(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.down = True
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["engine"] == "down"
