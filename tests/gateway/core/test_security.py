"""Security headers on every response and the 1 MB request body limit."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("path", ["/", "/healthz", "/webchat/static/chat.js", "/does-not-exist"])
async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    headers = (await client.get(path)).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


async def test_a_body_over_one_megabyte_is_refused_with_413(client: httpx.AsyncClient) -> None:
    body = b'{"session_id": "abcdefgh12", "text": "' + b"x" * 1_100_000 + b'"}'
    response = await client.post(
        "/webchat/api/messages", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_a_streamed_body_over_one_megabyte_is_refused_with_413(client: httpx.AsyncClient) -> None:
    async def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    response = await client.post(
        "/api/v1/deadlines", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_a_body_under_the_limit_is_processed(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/deadlines", json={"pip_date": "2024-05-12", "today": "2025-01-01"})
    assert response.status_code == 200
