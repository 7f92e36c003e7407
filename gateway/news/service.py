"""News per municipality: subscriptions, the editor's messages, and their delivery.

Subscribing needs the conversation's municipality (`Conversation.municipality`); a message goes
to the conversations whose subscription is `active` and whose municipality is the message's at
the moment the editor sends it: one `news_deliveries` row each (a snapshot, so nobody who
subscribes later, and nobody who never subscribed, is ever a recipient).

Delivery (`send_due`, the scheduler's `news` job; also run at start-up to resume):
- each row is claimed with a conditional UPDATE (attempts + 1, a lease on `next_attempt_at`),
  so a restart or a second gateway process never sends one row twice at the same time;
- a row whose subscriber stopped in the meantime becomes `stopped` and is not sent;
- the transcript message is stored once (`message_id`) and only pushed again on a retry;
- sends are paced at `news_messages_per_second` by the injected clock (per process);
- a failure is retried with a back-off, `news_max_attempts` times, then the row is `failed`;
- the channel's Sender delivers: on WhatsApp outside the 24-hour window that is the notice
  template, and the news follows when the user writes back (`channels.whatsapp.channel`).
A send that crashed after the platform accepted it and before the row was marked is sent again
once its lease ends (at least once, never twice concurrently); a graceful stop (`close`) ends the
loop between two deliveries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from gateway.core.conversation import ConversationService
from gateway.core.models import Conversation, utcnow
from gateway.core.schemas import OutgoingMessage
from gateway.news.models import NewsDelivery, NewsMessage, NewsSubscription
from gateway.news.texts import render
from redaction.logs import hash_id

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[Any]]
LEASE = timedelta(minutes=10)  # a claimed delivery is not picked up again for this long
BATCH = 200


@dataclass(frozen=True)
class Subscribed:
    """The outcome of a subscribe request: `subscribed`, `already` or `no_municipality`."""

    outcome: str
    municipality: str | None = None


@dataclass(frozen=True)
class Counts:
    pending: int = 0
    sent: int = 0
    failed: int = 0
    stopped: int = 0


class NewsService:
    def __init__(self, conversations: ConversationService, *, clock: Clock = utcnow, sleep: Sleep = asyncio.sleep) -> None:
        self.conversations = conversations
        self.settings = conversations.settings
        self.clock = clock
        self.sleep = sleep
        self._lock = asyncio.Lock()
        self._last_send: datetime | None = None
        self._closing = False

    @property
    def session_factory(self):  # noqa: ANN201
        return self.conversations.session_factory

    # -- subscriptions ------------------------------------------------------------------
    def municipality_of(self, conversation_id: str) -> str | None:
        with self.session_factory() as session:
            conversation = session.get(Conversation, conversation_id)
            return conversation.municipality if conversation is not None else None

    def status(self, conversation_id: str) -> str | None:
        """`offered`, `active`, `stopped`, or None when news never came up in this conversation."""
        with self.session_factory() as session:
            return session.scalar(
                select(NewsSubscription.status).where(NewsSubscription.conversation_id == conversation_id)
            )

    def _upsert(self, conversation_id: str, values: Mapping[str, Any], *, only_new: bool = False) -> bool:
        """Create the conversation's row with `values`, or update it (unless `only_new`).
        Returns whether a row was created or changed."""
        with self.session_factory() as session:
            row = session.scalar(select(NewsSubscription).where(NewsSubscription.conversation_id == conversation_id))
            if row is None:
                session.add(NewsSubscription(conversation_id=conversation_id, created_at=self.clock(), **values))
                try:
                    session.commit()
                    return True
                except IntegrityError:  # created at the same moment by another turn
                    session.rollback()
                    if only_new:
                        return False
                    row = session.scalar(
                        select(NewsSubscription).where(NewsSubscription.conversation_id == conversation_id)
                    )
                    assert row is not None
            elif only_new:
                return False
            for key, value in values.items():
                setattr(row, key, value)
            session.commit()
            return True

    def mark_offered(self, conversation_id: str) -> bool:
        """Record that the subscribe button was shown; False when news came up before (offer once)."""
        return self._upsert(conversation_id, {"status": "offered"}, only_new=True)

    def subscribe(self, conversation_id: str) -> Subscribed:
        municipality = self.municipality_of(conversation_id)
        if municipality is None:
            return Subscribed("no_municipality")
        if self.status(conversation_id) == "active":
            return Subscribed("already", municipality)
        self._upsert(conversation_id, {"status": "active", "subscribed_at": self.clock(), "stopped_at": None})
        log.info("news subscribed conversation=%s municipality=%s", hash_id(conversation_id), municipality)
        return Subscribed("subscribed", municipality)

    def stop(self, conversation_id: str) -> bool:
        """Stop the subscription and every delivery still waiting for it; False if it was not active."""
        now = self.clock()
        with self.session_factory() as session:
            result = session.execute(
                update(NewsSubscription)
                .where(NewsSubscription.conversation_id == conversation_id, NewsSubscription.status == "active")
                .values(status="stopped", stopped_at=now)
            )
            session.execute(
                update(NewsDelivery)
                .where(NewsDelivery.conversation_id == conversation_id, NewsDelivery.status == "pending")
                .values(status="stopped")
            )
            session.commit()
        stopped = bool(result.rowcount)
        log.info("news stopped conversation=%s was_active=%s", hash_id(conversation_id), stopped)
        return stopped

    def subscriber_counts(self, municipalities: Iterable[str]) -> dict[str, int]:
        wanted = list(municipalities)
        with self.session_factory() as session:
            rows = session.execute(
                select(Conversation.municipality, func.count())
                .join(NewsSubscription, NewsSubscription.conversation_id == Conversation.id)
                .where(NewsSubscription.status == "active", Conversation.municipality.in_(wanted))
                .group_by(Conversation.municipality)
            )
            found = {str(m): int(n) for m, n in rows}
        return {m: found.get(m, 0) for m in wanted}

    # -- the editor -----------------------------------------------------------------------
    def create(
        self, *, municipality: str, texts: Mapping[str, str], link: str | None, consultant_id: int | None, form_key: str
    ) -> tuple[int, bool]:
        """Store a message and one pending delivery per active subscriber of `municipality`.

        Returns (news id, created); the same `form_key` again returns the first message's id."""
        now = self.clock()
        with self.session_factory() as session:
            existing = session.scalar(select(NewsMessage.id).where(NewsMessage.form_key == form_key))
            if existing is not None:
                return existing, False
            message = NewsMessage(
                municipality=municipality, texts=dict(texts), link=link or None, consultant_id=consultant_id,
                form_key=form_key, created_at=now, recipients=0,
            )
            session.add(message)
            session.flush()
            subscribers = list(
                session.scalars(
                    select(NewsSubscription.conversation_id)
                    .join(Conversation, Conversation.id == NewsSubscription.conversation_id)
                    .where(NewsSubscription.status == "active", Conversation.municipality == municipality)
                    .order_by(NewsSubscription.id)
                )
            )
            session.add_all(
                NewsDelivery(news_id=message.id, conversation_id=c, status="pending", attempts=0, next_attempt_at=now)
                for c in subscribers
            )
            message.recipients = len(subscribers)
            news_id = message.id
            try:
                session.commit()
            except IntegrityError:  # the same form sent twice at once
                session.rollback()
                again = session.scalar(select(NewsMessage.id).where(NewsMessage.form_key == form_key))
                assert again is not None
                return again, False
        log.info("news created id=%d municipality=%s recipients=%d", news_id, municipality, len(subscribers))
        return news_id, True

    def get(self, news_id: int) -> NewsMessage | None:
        with self.session_factory() as session:
            return session.get(NewsMessage, news_id)

    def recent(self, municipalities: Iterable[str], limit: int = 20) -> list[NewsMessage]:
        with self.session_factory() as session:
            return list(
                session.scalars(
                    select(NewsMessage)
                    .where(NewsMessage.municipality.in_(list(municipalities)))
                    .order_by(NewsMessage.id.desc())
                    .limit(limit)
                )
            )

    def counts(self, news_ids: Iterable[int]) -> dict[int, Counts]:
        ids = list(news_ids)
        tally: dict[int, dict[str, int]] = {i: {} for i in ids}
        with self.session_factory() as session:
            rows = session.execute(
                select(NewsDelivery.news_id, NewsDelivery.status, func.count())
                .where(NewsDelivery.news_id.in_(ids))
                .group_by(NewsDelivery.news_id, NewsDelivery.status)
            )
            for news_id, status, number in rows:
                tally[int(news_id)][str(status)] = int(number)
        return {i: Counts(**{k: v for k, v in t.items() if k in Counts.__dataclass_fields__}) for i, t in tally.items()}

    # -- delivery -------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the delivery loop after the delivery in hand (at shutdown)."""
        self._closing = True

    def _due_ids(self, now: datetime) -> list[int]:
        with self.session_factory() as session:
            return list(
                session.scalars(
                    select(NewsDelivery.id)
                    .where(NewsDelivery.status == "pending", NewsDelivery.next_attempt_at <= now)
                    .order_by(NewsDelivery.next_attempt_at, NewsDelivery.id)
                    .limit(BATCH)
                )
            )

    def _claim(self, delivery_id: int, now: datetime) -> NewsDelivery | None:
        with self.session_factory() as session:
            result = session.execute(
                update(NewsDelivery)
                .where(
                    NewsDelivery.id == delivery_id,
                    NewsDelivery.status == "pending",
                    NewsDelivery.next_attempt_at <= now,
                )
                .values(attempts=NewsDelivery.attempts + 1, next_attempt_at=now + LEASE)
            )
            session.commit()
            if result.rowcount != 1:
                return None
            return session.get(NewsDelivery, delivery_id)

    def _finish(self, delivery_id: int, **values: Any) -> None:
        with self.session_factory() as session:
            session.execute(update(NewsDelivery).where(NewsDelivery.id == delivery_id).values(**values))
            session.commit()

    async def _pace(self) -> None:
        """Wait until one send interval has passed since the last send (by the injected clock)."""
        rate = self.settings.news_messages_per_second
        if rate > 0 and self._last_send is not None:
            wait = (self._last_send + timedelta(seconds=1 / rate) - self.clock()).total_seconds()
            if wait > 0:
                await self.sleep(wait)
        self._last_send = self.clock()

    async def send_due(self, limit: int | None = None) -> int:
        """Deliver pending news (at most `limit` sends); returns how many were sent."""
        sent = 0
        async with self._lock:  # one loop per process, so the pace holds
            while not self._closing and (limit is None or sent < limit):
                ids = self._due_ids(self.clock())
                progressed = False
                for delivery_id in ids:
                    if self._closing or (limit is not None and sent >= limit):
                        break
                    delivery = self._claim(delivery_id, self.clock())
                    if delivery is None:  # taken by another process
                        continue
                    progressed = True
                    if await self._deliver(delivery):
                        sent += 1
                if not progressed:
                    break
        if sent:
            log.info("news sent count=%d", sent)
        return sent

    async def _deliver(self, delivery: NewsDelivery) -> bool:
        with self.session_factory() as session:
            status = session.scalar(
                select(NewsSubscription.status).where(NewsSubscription.conversation_id == delivery.conversation_id)
            )
            news = session.get(NewsMessage, delivery.news_id)
            conversation = session.get(Conversation, delivery.conversation_id)
            language = conversation.language if conversation is not None else "nl"
        if status != "active" or news is None or conversation is None:
            self._finish(delivery.id, status="stopped")
            return False
        await self._pace()
        try:
            message = OutgoingMessage(text=render(news.texts, news.link, news.municipality, language), sender="system")
            if delivery.message_id is None:
                message = self.conversations.store_outgoing(delivery.conversation_id, [message])[0]
                self._finish(delivery.id, message_id=message.id)
            else:  # a retry: the message is already in the transcript, only push it again
                message = message.model_copy(update={"id": delivery.message_id})
            await self.conversations.deliver(delivery.conversation_id, [message])
        except Exception as exc:  # noqa: BLE001 - any channel failure is retried with a bound
            self._failed(delivery, exc)
            return False
        self._finish(delivery.id, status="sent", sent_at=self.clock(), error=None)
        return True

    def _failed(self, delivery: NewsDelivery, exc: Exception) -> None:
        final = delivery.attempts >= self.settings.news_max_attempts
        values: dict[str, Any] = {"error": type(exc).__name__}
        if final:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = self.clock() + min(timedelta(minutes=1) * 2 ** (delivery.attempts - 1), timedelta(hours=1))
        self._finish(delivery.id, **values)
        log.warning(
            "news send failed id=%d attempt=%d final=%s error=%s",
            delivery.id, delivery.attempts, final, type(exc).__name__,
        )
