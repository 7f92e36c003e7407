"""Which Rasa engine serves a conversation: rendezvous (highest-random-weight) hashing.

Every conversation id gets a fixed preference order over the configured engines. The first
engine in that order serves the conversation while it is up (sticky: the same engine every turn,
so its in-process caches stay warm); when it is down, the next one takes over. Because the
engines share their trackers (SQL tracker store) and their locks (Redis lock store), any engine
can continue any conversation, so failover loses nothing.

Adding or removing an engine only moves the conversations whose first choice changed
(about 1/n of them), unlike `hash(id) % n`, which would move almost all of them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence


def _weight(node: str, key: str) -> int:
    digest = hashlib.blake2b(f"{node}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def rendezvous_order(key: str, nodes: Sequence[str]) -> list[str]:
    """`nodes` in this key's order of preference (stable for the same key and node set)."""
    return sorted(nodes, key=lambda node: (_weight(node, key), node), reverse=True)


def parse_urls(value: str | None, default: str) -> list[str]:
    """A comma-separated list of base URLs (trailing slashes removed, duplicates dropped)."""
    urls: list[str] = []
    for part in (value or "").split(","):
        url = part.strip().rstrip("/")
        if url and url not in urls:
            urls.append(url)
    return urls or [default.rstrip("/")]


class EngineRouter:
    """Preference order per conversation, with engines that just failed moved to the back.

    An engine that refused a connection is "cooling down" for `cooldown_s` seconds: it is still
    tried, but only after the healthy ones, so one dead engine does not add a connect timeout to
    every turn. A successful request marks it healthy again at once.
    """

    def __init__(
        self, urls: Sequence[str], *, cooldown_s: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not urls:
            raise ValueError("at least one engine URL is needed")
        self.urls = list(urls)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._down_until: dict[str, float] = {}

    def order(self, conversation_id: str) -> list[str]:
        preferred = rendezvous_order(conversation_id, self.urls) if len(self.urls) > 1 else list(self.urls)
        now = self._clock()
        healthy = [u for u in preferred if self._down_until.get(u, 0.0) <= now]
        cooling = [u for u in preferred if self._down_until.get(u, 0.0) > now]
        return healthy + cooling

    def mark_down(self, url: str) -> None:
        self._down_until[url] = self._clock() + self.cooldown_s

    def mark_up(self, url: str) -> None:
        self._down_until.pop(url, None)

    def is_cooling(self, url: str) -> bool:
        return self._down_until.get(url, 0.0) > self._clock()
