"""Review findings 6 and 8: a cap on tickets per conversation per hour (and on notifications per
hour), bounded notification tasks, and webhooks that are always signed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.core.config import Settings
from gateway.inbox import notify
from gateway.inbox.models import Ticket
from gateway.inbox.notify import Notifier, TicketNotice
from knowledge.texts import text
from tests.support.inbox import Gateway, hand_off, make_settings

pytestmark = pytest.mark.asyncio


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, handoff_max_tickets_per_conversation_per_hour=2)


async def close_ticket(gateway: Gateway, ticket_id: int) -> None:
    with gateway.db() as session:
        ticket = session.get(Ticket, ticket_id)
        ticket.state = "closed"
        session.commit()


async def test_a_conversation_cannot_open_more_tickets_per_hour_than_the_cap(gateway: Gateway) -> None:
    await hand_off(gateway.client)
    await close_ticket(gateway, 1)
    await hand_off(gateway.client)
    await close_ticket(gateway, 2)
    third = await hand_off(gateway.client)
    assert [m["text"] for m in third if m["sender"] == "system"] == [text("gateway.tickets_limited", "nl")]
    with gateway.db() as session:
        assert session.query(Ticket).count() == 2
    # another conversation still can
    await hand_off(gateway.client, "user-session-0002")
    with gateway.db() as session:
        assert session.query(Ticket).count() == 3


async def test_notification_tasks_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notify, "MAX_PENDING", 5)
    running = 0
    peak = 0
    release = asyncio.Event()

    async def slow_post(self: Notifier, notice: TicketNotice) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await release.wait()
        running -= 1

    monkeypatch.setattr(Notifier, "_post_webhook", slow_post)
    notifier = Notifier(make_settings(tmp_path, handoff_webhook_url="https://hooks.test/x",
                                      handoff_webhook_secret="s" * 40))
    for i in range(20):
        notifier.ticket_created(TicketNotice(ticket_id=i, reason="user_request", language="nl", url="u"))
    await asyncio.sleep(0.05)
    assert len(notifier._tasks) == 5 and notifier.dropped == 15
    assert peak <= notify.MAX_CONCURRENT
    release.set()
    await notifier.drain()
    assert notifier._tasks == set()


async def test_an_unsigned_webhook_is_never_posted(tmp_path: Path) -> None:
    import httpx

    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    settings = make_settings(tmp_path, handoff_webhook_url="https://hooks.test/x", handoff_webhook_secret="s" * 40)
    settings.handoff_webhook_secret = None  # as if the check were bypassed
    notifier = Notifier(settings, transport=transport)
    notifier.ticket_created(TicketNotice(ticket_id=1, reason="user_request", language="nl", url="u"))
    await notifier.drain()
    assert sent == []
