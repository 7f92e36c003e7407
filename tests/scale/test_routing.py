"""Spreading conversations over several engines: sticky rendezvous hashing with failover."""

from __future__ import annotations

import json
import uuid
from collections import Counter

import httpx
import pytest

from gateway.core import engine as engine_module
from gateway.core.config import Settings
from gateway.core.engine import EngineClient, EngineUnavailable
from gateway.core.routing import EngineRouter, parse_urls, rendezvous_order

A, B, C = "http://engine-a:5005", "http://engine-b:5005", "http://engine-c:5005"


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"rasa_token": "t", "secret_key": "s", "engine_retries": 1}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BACKOFF_BASE_S", 0.0)


def test_rasa_urls_default_to_the_single_rasa_url() -> None:
    assert settings(rasa_url="http://127.0.0.1:5005/").engine_urls == ["http://127.0.0.1:5005"]


def test_rasa_urls_are_split_on_commas_trimmed_and_deduplicated() -> None:
    s = settings(rasa_urls=f" {A}/, {B} ,{A},")
    assert s.engine_urls == [A, B]
    assert parse_urls("", A) == [A]


def test_a_conversation_always_goes_to_the_same_engine() -> None:
    for _ in range(50):
        key = uuid.uuid4().hex
        assert len({rendezvous_order(key, [A, B])[0] for _ in range(5)}) == 1
        assert rendezvous_order(key, [A, B]) == rendezvous_order(key, [B, A])  # order of the setting is irrelevant


def test_conversations_are_spread_evenly_over_two_engines() -> None:
    counts = Counter(rendezvous_order(uuid.uuid4().hex, [A, B])[0] for _ in range(4000))
    assert 0.45 < counts[A] / 4000 < 0.55


def test_adding_a_third_engine_moves_only_the_conversations_it_takes_over() -> None:
    keys = [uuid.uuid4().hex for _ in range(3000)]
    moved = [k for k in keys if rendezvous_order(k, [A, B])[0] != rendezvous_order(k, [A, B, C])[0]]
    assert all(rendezvous_order(k, [A, B, C])[0] == C for k in moved)
    assert 0.28 < len(moved) / len(keys) < 0.39  # about 1/3, not almost all as with hash % n


def test_an_engine_that_refused_is_tried_last_until_its_cooldown_ends() -> None:
    now = [0.0]
    router = EngineRouter([A, B], cooldown_s=5, clock=lambda: now[0])
    key = next(k for k in (uuid.uuid4().hex for _ in range(100)) if rendezvous_order(k, [A, B])[0] == A)
    router.mark_down(A)
    assert router.order(key) == [B, A]
    now[0] = 5.1
    assert router.order(key) == [A, B]  # sticky again once it is back


def client(handler) -> tuple[EngineClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return EngineClient(settings(rasa_urls=f"{A},{B}"), transport=httpx.MockTransport(record)), seen


def key_preferring(url: str) -> str:
    return next(k for k in (uuid.uuid4().hex for _ in range(200)) if rendezvous_order(k, [A, B])[0] == url)


@pytest.mark.asyncio
async def test_the_client_sends_each_conversation_to_its_own_engine_with_the_token() -> None:
    engine, seen = client(lambda r: httpx.Response(200, json=[{"text": str(r.url.host)}]))
    for url in (A, B):
        key = key_preferring(url)
        assert await engine.send(key, "hoi", {}) == [{"text": httpx.URL(url).host}]
        assert json.loads(seen[-1].content)["sender"] == key
        assert seen[-1].url.params["token"] == "t"
    await engine.aclose()


@pytest.mark.asyncio
async def test_when_an_engine_is_down_its_conversations_fail_over_to_the_next_one_at_once() -> None:
    def a_is_down(request: httpx.Request) -> httpx.Response:
        if request.url.host == "engine-a":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=[{"text": "from b"}])

    engine, seen = client(a_is_down)
    key = key_preferring(A)
    assert await engine.send(key, "hoi", {}) == [{"text": "from b"}]
    assert [r.url.host for r in seen] == ["engine-a", "engine-b"]
    await engine.send(key, "nog een vraag", {})  # A cools down: straight to B
    assert [r.url.host for r in seen[2:]] == ["engine-b"]
    await engine.add_events(key, [{"event": "resume"}])  # tracker calls fail over too
    assert seen[-1].url.host == "engine-b" and seen[-1].url.path == f"/conversations/{key}/tracker/events"
    await engine.aclose()


@pytest.mark.asyncio
async def test_when_every_engine_is_down_the_client_gives_up_after_the_bounded_rounds() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    engine, seen = client(refuse)
    with pytest.raises(EngineUnavailable):
        await engine.send(uuid.uuid4().hex, "hoi", {})
    assert len(seen) == 2 * 2  # (engine_retries + 1) rounds over both engines
    await engine.aclose()


@pytest.mark.asyncio
async def test_a_read_timeout_is_not_sent_to_another_engine() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    engine, seen = client(slow)
    with pytest.raises(EngineUnavailable):
        await engine.send(uuid.uuid4().hex, "hoi", {})
    assert len(seen) == 1  # the engine may already have handled the message
    await engine.aclose()


@pytest.mark.asyncio
async def test_ping_is_true_when_any_engine_answers() -> None:
    def only_b(request: httpx.Request) -> httpx.Response:
        if request.url.host == "engine-a":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, text="Hello from Rasa: 3.6.21")

    engine, _ = client(only_b)
    assert await engine.ping() is True
    await engine.aclose()
