"""Two Rasa engines serve the same conversations: trackers in PostgreSQL, locks in Redis.

The stack (started by the `two_engines` fixture): PostgreSQL and redis-server on 127.0.0.1
(temp dirs, random ports), one action server, two engine processes with the trained model,
and the gateway with WEGWIJS_RASA_URLS listing both engines.
"""

from __future__ import annotations

import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.scale.services import Stack, user_texts

pytestmark = pytest.mark.services

TURNS = [
    "hallo",
    "wat kost inburgeren voor mij?",
    "moet ik examen doen",
    "how long do I have to integrate?",
    "wat is een pip",
    "dank je wel",
]


def turns_are_not_interleaved(tracker: dict) -> bool:
    """Each user message is answered (the bot acts and listens again) before the next one is read."""
    kinds = [e["event"] for e in tracker["events"] if e["event"] in ("user", "action")]
    names = [e.get("name") for e in tracker["events"] if e["event"] in ("user", "action")]
    for i, kind in enumerate(kinds):
        if kind == "user":
            rest = list(zip(kinds[i + 1:], names[i + 1:], strict=True))
            nxt_user = next((j for j, (k, _) in enumerate(rest) if k == "user"), len(rest))
            if nxt_user < len(rest) and ("action", "action_listen") not in rest[:nxt_user]:
                return False
    return True


def test_twenty_conversations_alternating_between_the_engines_lose_no_turn_and_keep_their_order(
    two_engines: Stack,
) -> None:
    senders = [uuid.uuid4().hex for _ in range(20)]

    def converse(index: int) -> tuple[str, list[str], list[int]]:
        sender = senders[index]
        sent, answered = [], []
        for turn, text in enumerate(TURNS):
            text = f"{text} ({turn + 1})"
            engine = (index + turn) % 2  # A, B, A, ... or B, A, B, ...
            answered.append(len(two_engines.rest(engine, sender, text)))
            sent.append(text)
        return sender, sent, answered

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(converse, range(20)))

    for sender, sent, answered in results:
        assert all(n >= 1 for n in answered), f"a turn got no answer: {answered}"
        for engine in (0, 1):  # both engines read the same tracker back
            tracker = two_engines.tracker(sender, engine)
            assert user_texts(tracker) == sent
            assert turns_are_not_interleaved(tracker)


def test_simultaneous_messages_of_one_user_on_both_engines_are_handled_one_after_the_other(
    two_engines: Stack,
) -> None:
    senders = [uuid.uuid4().hex for _ in range(10)]
    jobs = [(s, engine, f"{'hallo' if engine == 0 else 'wat kost inburgeren?'} r{r}-e{engine}")
            for s in senders for r in range(3) for engine in (0, 1)]

    def deliver(job: tuple[str, int, str]) -> int:
        sender, engine, text = job
        return len(two_engines.rest(engine, sender, text))

    with ThreadPoolExecutor(max_workers=20) as pool:
        answered = list(pool.map(deliver, jobs))

    assert all(n >= 1 for n in answered)
    for sender in senders:
        tracker = two_engines.tracker(sender, 0)
        expected = sorted(text for s, _, text in jobs if s == sender)
        assert sorted(user_texts(tracker)) == expected  # none lost, none doubled
        assert turns_are_not_interleaved(tracker)  # the Redis lock serialised the two engines


def gateway_conversation_ids(stack: Stack) -> dict[str, str]:
    with sqlite3.connect(stack.tmp / "wegwijs.db") as db:
        return dict(db.execute("SELECT channel_user_id, id FROM conversations WHERE channel = 'web'"))


def test_the_gateway_spreads_conversations_over_both_engines_and_fails_over_when_one_stops(
    two_engines: Stack,
) -> None:
    from gateway.core.routing import rendezvous_order

    sessions = [f"scale-{uuid.uuid4().hex[:12]}" for _ in range(12)]
    for session in sessions:
        reply = two_engines.chat(session, "wat kost inburgeren?")
        assert reply.status_code == 200 and reply.json()["messages"]
    ids = gateway_conversation_ids(two_engines)
    homes = {rendezvous_order(ids[s], two_engines.engine_urls)[0] for s in sessions}
    assert homes == set(two_engines.engine_urls)  # both engines got conversations

    two_engines.stop("engine1")  # engine0 serves every conversation from now on
    for session in sessions:
        reply = two_engines.chat(session, "moet ik examen doen?")
        assert reply.status_code == 200
        texts = [m["text"] or "" for m in reply.json()["messages"]]
        assert texts and not any("niet bereikbaar" in t for t in texts)
        assert user_texts(two_engines.tracker(ids[session], 0)) == ["wat kost inburgeren?", "moet ik examen doen?"]
