"""Per-sender rate limit for the messaging channels (Telegram, WhatsApp).

A sender may send `limit` messages per `window_s` seconds. The first message over the limit
gets one polite answer (`Decision.WARN`); the rest of that window is dropped silently
(`Decision.DROP`). In memory by default; in Redis when `WEGWIJS_REDIS_URL` is set, so that
several gateway processes share the count.
"""

from __future__ import annotations

import enum
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from knowledge.texts import Localized
from redaction.logs import hash_id

log = logging.getLogger(__name__)

WARNING_TEXT = Localized("gateway.rate_limited")


class Decision(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"
    DROP = "drop"


def decide(count: int, limit: int) -> Decision:
    """`count` is this message's number within the window (1 = first)."""
    if count <= limit:
        return Decision.ALLOW
    return Decision.WARN if count == limit + 1 else Decision.DROP


class RateLimiter(Protocol):
    async def hit(self, key: str) -> Decision: ...

    async def aclose(self) -> None: ...


class MemoryRateLimiter:
    """Sliding window per key, kept in this process."""

    def __init__(
        self, *, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    async def hit(self, key: str) -> Decision:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle senders
            for idle in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window_s]:
                del self._hits[idle]
        return decide(len(hits), self.limit)

    async def aclose(self) -> None:
        return None


class RedisRateLimiter:
    """Fixed window per key in Redis (`INCR` + `EXPIRE`); keys hold a hashed sender id only."""

    def __init__(
        self, client: Any, *, limit: int, window_s: int = 60, prefix: str = "wegwijs:ratelimit:"
    ) -> None:
        self.client = client
        self.limit = limit
        self.window_s = int(window_s)
        self.prefix = prefix

    async def hit(self, key: str) -> Decision:
        window = int(time.time()) // self.window_s
        redis_key = f"{self.prefix}{hash_id(key)}:{window}"
        try:
            count = int(await self.client.incr(redis_key))
            if count == 1:
                await self.client.expire(redis_key, self.window_s * 2)
        except Exception as exc:  # noqa: BLE001 - Redis down must not stop the chat
            log.warning("rate limiter unavailable (%s); message allowed", type(exc).__name__)
            return Decision.ALLOW
        return decide(count, self.limit)

    async def aclose(self) -> None:
        close = getattr(self.client, "aclose", None)
        if close is not None:
            await close()


def make_rate_limiter(*, limit: int, redis_url: str | None, window_s: int = 60) -> RateLimiter:
    """Redis when a URL is given, else in memory."""
    if redis_url:
        import redis.asyncio as redis

        return RedisRateLimiter(redis.Redis.from_url(redis_url), limit=limit, window_s=window_s)
    return MemoryRateLimiter(limit=limit, window_s=window_s)


# -- the web chat (review finding 6) ----------------------------------------------------------
def client_address(request: Any, header: str | None) -> str:
    """The client's address: the last entry of the configured proxy header (what our own proxy
    appended), else the TCP peer. Any other header a client sends is ignored."""
    if header:
        value = request.headers.get(header)
        if value:
            last = value.split(",")[-1].strip()
            if last:
                return last
    client = getattr(request, "client", None)
    return client.host if client is not None else "unknown"


class WebchatLimits:
    """Per-client-address and per-session limits for POST /webchat/api/messages."""

    def __init__(self, *, per_ip: int, per_session: int, redis_url: str | None, ip_header: str | None) -> None:
        self.ip = make_rate_limiter(limit=per_ip, redis_url=redis_url)
        self.session = make_rate_limiter(limit=per_session, redis_url=redis_url)
        self.ip_header = ip_header

    async def allowed(self, request: Any, session_id: str) -> bool:
        address = client_address(request, self.ip_header)
        by_ip = await self.ip.hit(f"web-ip:{address}")
        by_session = await self.session.hit(f"web:{session_id}")
        if by_ip is Decision.ALLOW and by_session is Decision.ALLOW:
            return True
        log.info("web chat rate limit ip=%s user=%s", hash_id(address), hash_id(session_id))
        return False

    async def aclose(self) -> None:
        await self.ip.aclose()
        await self.session.aclose()


async def enforce_webchat_limits(request: Any, session_id: str) -> None:
    """Raise HTTP 429 (with Retry-After) when the web chat limits are exceeded."""
    from fastapi import HTTPException

    from knowledge import languages

    state = request.app.state
    limits: WebchatLimits | None = getattr(state, "webchat_limits", None)
    if limits is None:
        settings = state.settings
        limits = state.webchat_limits = WebchatLimits(
            per_ip=settings.webchat_ip_rate_limit_per_minute,
            per_session=settings.webchat_rate_limit_per_minute,
            redis_url=settings.redis_url,
            ip_header=settings.client_ip_header,
        )
    if not await limits.allowed(request, session_id):
        lang = languages.supported(request.headers.get("Accept-Language", "")[:2] or None)
        raise HTTPException(status_code=429, detail=WARNING_TEXT[lang], headers={"Retry-After": "60"})
