"""Client for the Rasa engine's HTTP API (REST channel and tracker endpoints)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from gateway.core.config import Settings
from gateway.core.routing import EngineRouter

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO, and Rasa's token travels in the query string.
logging.getLogger("httpx").setLevel(logging.WARNING)

BACKOFF_BASE_S = 0.2
WEBHOOK_PATH = "/webhooks/rest/webhook"


class EngineUnavailable(Exception):
    """The engine did not answer after the bounded retries."""


class EngineClient:
    """Talks to Rasa: `send` a user message, `add_events` to a tracker, `trigger_intent`.

    Connect errors and 5xx answers are retried `settings.engine_retries` times with
    exponential backoff; a read timeout is not retried (Rasa may already have handled
    the message). After that, `EngineUnavailable` is raised.

    With several engines (`settings.rasa_urls`) each conversation goes to its first engine in
    rendezvous order (gateway/core/routing.py); a connect error or 5xx moves on to the next
    engine in that order at once, and a round over all engines counts as one attempt.
    """

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._token = settings.rasa_token.get_secret_value()
        self._retries = max(0, settings.engine_retries)
        self.router = EngineRouter(settings.engine_urls, cooldown_s=settings.engine_down_cooldown_s)
        self._client = httpx.AsyncClient(
            timeout=settings.engine_timeout_s,
            transport=transport,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )
        self._webhook_urls: dict[str, httpx.URL] = {}  # per engine base URL

    def _url(self, base: str, path: str) -> httpx.URL:
        """`base + path` with the token as query parameter; the webhook URLs are built once."""
        if path == WEBHOOK_PATH:
            url = self._webhook_urls.get(base)
            if url is None:
                url = self._webhook_urls[base] = httpx.URL(f"{base}{path}", params={"token": self._token})
            return url
        return httpx.URL(f"{base}{path}", params={"token": self._token})

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Send one user message through Rasa's REST channel; returns Rasa's reply list."""
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        response = await self._post(WEBHOOK_PATH, body, conversation_id)
        replies = response.json()
        return replies if isinstance(replies, list) else []

    async def add_events(self, conversation_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Append events to a tracker (e.g. `{"event": "resume"}` after a handoff)."""
        path = f"/conversations/{conversation_id}/tracker/events"
        response = await self._post(path, events, conversation_id)
        return response.json()

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Make the bot act as if the user sent `intent`; returns Rasa's answer incl. `messages`."""
        body = {"name": intent, "entities": entities or {}}
        path = f"/conversations/{conversation_id}/trigger_intent"
        response = await self._post(path, body, conversation_id)
        return response.json()

    async def ping(self) -> bool:
        """True when Rasa's root URL answers (it says "Hello from Rasa") on at least one engine."""
        for url in self.router.urls:
            try:
                response = await self._client.get(f"{url}/", timeout=2.0)
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                return True
        return False

    async def _post(self, path: str, body: Any, conversation_id: str) -> httpx.Response:
        attempt = 0
        while True:
            for index, base in enumerate(self.router.order(conversation_id)):
                try:
                    response = await self._client.post(self._url(base, path), json=body)
                except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as exc:
                    reason = type(exc).__name__
                    self.router.mark_down(base)
                except httpx.HTTPError as exc:
                    log.warning("engine request failed without retry: %s", type(exc).__name__)
                    raise EngineUnavailable(type(exc).__name__) from exc
                else:
                    if response.status_code < 400:
                        self.router.mark_up(base)
                        if index:
                            log.info("engine failover: served by engine %d of %d",
                                     index + 1, len(self.router.urls))
                        return response
                    if response.status_code < 500:
                        log.error("engine refused the request: HTTP %d (check WEGWIJS_RASA_TOKEN)",
                                  response.status_code)
                        raise EngineUnavailable(f"HTTP {response.status_code}")
                    reason = f"HTTP {response.status_code}"
            if attempt >= self._retries:
                log.warning("engine unavailable after %d attempts: %s", attempt + 1, reason)
                raise EngineUnavailable(reason)
            await asyncio.sleep(BACKOFF_BASE_S * 2**attempt)
            attempt += 1
