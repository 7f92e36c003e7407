"""The per-sender rate limit shared by the Telegram and WhatsApp channels."""

from __future__ import annotations

from typing import Any

from gateway.core.ratelimit import Decision, MemoryRateLimiter, RedisRateLimiter, make_rate_limiter
from redaction.logs import hash_id


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeRedis:
    """The two commands the limiter uses, with the same results as Redis."""

    def __init__(self, *, fail: bool = False) -> None:
        self.values: dict[str, int] = {}
        self.ttl: dict[str, int] = {}
        self.fail = fail

    async def incr(self, key: str) -> int:
        if self.fail:
            raise ConnectionError("redis down")
        self.values[key] = self.values.get(key, 0) + 1
        return self.values[key]

    async def expire(self, key: str, seconds: int) -> bool:
        self.ttl[key] = seconds
        return True


async def decisions(limiter: Any, key: str, n: int) -> list[Decision]:
    return [await limiter.hit(key) for _ in range(n)]


async def test_a_sender_within_the_limit_is_allowed_then_warned_once_then_dropped() -> None:
    limiter = MemoryRateLimiter(limit=3, window_s=60, clock=Clock())
    assert (
        await decisions(limiter, "telegram:1", 6)
        == [Decision.ALLOW] * 3 + [Decision.WARN] + [Decision.DROP] * 2
    )


async def test_the_limit_counts_each_sender_separately() -> None:
    limiter = MemoryRateLimiter(limit=1, window_s=60, clock=Clock())
    assert await limiter.hit("whatsapp:31600000001") is Decision.ALLOW
    assert await limiter.hit("whatsapp:31600000002") is Decision.ALLOW
    assert await limiter.hit("whatsapp:31600000001") is Decision.WARN


async def test_after_the_window_has_passed_a_sender_may_write_again() -> None:
    clock = Clock()
    limiter = MemoryRateLimiter(limit=2, window_s=60, clock=clock)
    await decisions(limiter, "k", 4)
    clock.now += 60.5
    assert await limiter.hit("k") is Decision.ALLOW


async def test_the_redis_limiter_counts_per_window_under_a_hashed_key() -> None:
    redis = FakeRedis()
    limiter = RedisRateLimiter(redis, limit=2, window_s=60)
    assert await decisions(limiter, "whatsapp:31612345678", 4) == [
        Decision.ALLOW,
        Decision.ALLOW,
        Decision.WARN,
        Decision.DROP,
    ]
    (key,) = redis.values
    assert "31612345678" not in key and hash_id("whatsapp:31612345678") in key
    assert redis.ttl[key] == 120


async def test_when_redis_is_down_messages_are_allowed() -> None:
    limiter = RedisRateLimiter(FakeRedis(fail=True), limit=1)
    assert await decisions(limiter, "k", 3) == [Decision.ALLOW] * 3


def test_redis_is_used_only_when_a_url_is_configured() -> None:
    assert isinstance(make_rate_limiter(limit=20, redis_url=None), MemoryRateLimiter)
    assert isinstance(make_rate_limiter(limit=20, redis_url="redis://127.0.0.1:6379/0"), RedisRateLimiter)
