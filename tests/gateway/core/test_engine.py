"""EngineClient: request shapes sent to Rasa, bounded retries, and EngineUnavailable."""

from __future__ import annotations

import json

import httpx
import pytest

from gateway.core.config import Settings
from gateway.core.engine import EngineClient, EngineUnavailable

pytestmark = pytest.mark.asyncio


def client_with(handler, settings: Settings) -> tuple[EngineClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return EngineClient(settings, transport=httpx.MockTransport(record)), seen


async def test_send_posts_sender_message_and_metadata_to_the_rest_channel_with_the_token(
    settings: Settings,
) -> None:
    engine, seen = client_with(
        lambda r: httpx.Response(200, json=[{"recipient_id": "c1", "text": "Hallo"}]), settings
    )
    replies = await engine.send("c1", "hoi", {"channel": "web"})
    await engine.aclose()
    assert replies == [{"recipient_id": "c1", "text": "Hallo"}]
    assert seen[0].url.path == "/webhooks/rest/webhook"
    assert seen[0].url.params["token"] == "test-rasa-token"
    assert json.loads(seen[0].content) == {"sender": "c1", "message": "hoi", "metadata": {"channel": "web"}}


async def test_server_errors_are_retried_until_the_engine_answers(settings: Settings) -> None:
    answers = iter([httpx.Response(503), httpx.Response(500), httpx.Response(200, json=[])])
    engine, seen = client_with(lambda r: next(answers), settings)
    assert await engine.send("c1", "hoi", {}) == []
    await engine.aclose()
    assert len(seen) == 3


async def test_connect_errors_raise_engine_unavailable_after_the_bounded_retries(settings: Settings) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    engine, seen = client_with(refuse, settings)
    with pytest.raises(EngineUnavailable):
        await engine.send("c1", "hoi", {})
    await engine.aclose()
    assert len(seen) == settings.engine_retries + 1


async def test_a_refused_token_is_not_retried(settings: Settings) -> None:
    engine, seen = client_with(lambda r: httpx.Response(401), settings)
    with pytest.raises(EngineUnavailable):
        await engine.send("c1", "hoi", {})
    await engine.aclose()
    assert len(seen) == 1


async def test_add_events_and_trigger_intent_use_the_tracker_endpoints_with_the_token(
    settings: Settings,
) -> None:
    engine, seen = client_with(lambda r: httpx.Response(200, json={}), settings)
    await engine.add_events("c1", [{"event": "resume"}])
    await engine.trigger_intent("c1", "handoff_closed", {"reason": "done"})
    await engine.aclose()
    assert [r.url.path for r in seen] == [
        "/conversations/c1/tracker/events",
        "/conversations/c1/trigger_intent",
    ]
    assert all(r.url.params["token"] == "test-rasa-token" for r in seen)
    assert json.loads(seen[0].content) == [{"event": "resume"}]
    assert json.loads(seen[1].content) == {"name": "handoff_closed", "entities": {"reason": "done"}}


async def test_ping_reports_whether_rasa_answers(settings: Settings) -> None:
    engine, _ = client_with(lambda r: httpx.Response(200, text="Hello from Rasa: 3.6.21"), settings)
    assert await engine.ping() is True
    await engine.aclose()
