"""When Rasa answers a message with nothing (a custom action failed: action server down), the user
gets the polite apology instead of silence; a normal answer is passed on unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.core import engine as engine_module
from gateway.core.conversation import APOLOGY
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings, running

pytestmark = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BACKOFF_BASE_S", 0.0)


async def send(client, text: str, session: str = "empty-reply-0001") -> list[str]:
    r = await client.post("/webchat/api/messages", json={"session_id": session, "text": text})
    assert r.status_code == 200
    return [m["text"] for m in r.json()["messages"]]


async def test_an_empty_engine_reply_becomes_the_apology_and_the_next_answer_comes_through(tmp_path: Path) -> None:
    fake = FakeRasa(reply=lambda body: [])
    async with running(make_settings(tmp_path), fake) as (_, client):
        assert await send(client, "wanneer moet ik klaar zijn? pip 1 mei 2024") == [APOLOGY["nl"]]
        fake.reply = lambda body: [{"recipient_id": body["sender"], "text": "Uw einddatum is 1 mei 2027."}]
        assert await send(client, "wanneer moet ik klaar zijn? pip 1 mei 2024") == ["Uw einddatum is 1 mei 2027."]


async def test_a_reply_with_only_a_custom_payload_is_not_treated_as_empty(tmp_path: Path) -> None:
    fake = FakeRasa(reply=lambda body: [{"recipient_id": body["sender"],
                                         "custom": {"wegwijs": {"type": "language", "lang": "en"}}}])
    async with running(make_settings(tmp_path), fake) as (_, client):
        assert await send(client, "English please") == []
