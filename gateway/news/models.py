"""The news tables: who subscribed, what an editor sent, and one delivery row per subscriber.

- `news_subscriptions`: one row per conversation that was offered news or asked for it:
  `offered` (the button was shown once, nothing chosen), `active`, `stopped`. The municipality
  is the conversation's own (`Conversation.municipality`), read when a message is sent, so a
  corrected municipality is followed.
- `news_messages`: what an editor wrote, per language, for one municipality.
- `news_deliveries`: one row per subscriber and message, made when the editor sends; the
  scheduler claims and sends them (`service`). Status `pending` → `sent` | `failed` | `stopped`.

Subscriptions and deliveries belong to the conversation (FK ON DELETE CASCADE): "delete my data"
and retention remove them with the person (`gateway.privacy.erase.MODEL_MODULES`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.models import Base, UTCDateTime, utcnow

SUBSCRIPTION_STATUSES = ("offered", "active", "stopped")
DELIVERY_STATUSES = ("pending", "sent", "failed", "stopped")


class NewsSubscription(Base):
    __tablename__ = "news_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="offered")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    subscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class NewsMessage(Base):
    __tablename__ = "news_messages"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64), index=True)
    # {lang: text} for the languages the editor wrote; others get the Dutch text
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    consultant_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # who sent it
    # the send form's one-time key: pressing "send" twice makes one message
    form_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # subscribers when it was sent


class NewsDelivery(Base):
    __tablename__ = "news_deliveries"
    __table_args__ = (
        UniqueConstraint("news_id", "conversation_id", name="uq_news_deliveries_news_conversation"),
        Index("ix_news_deliveries_status_next_attempt", "status", "next_attempt_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    news_id: Mapped[int] = mapped_column(Integer, ForeignKey("news_messages.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # when the sender may (re)try: now at first, a lease while sending, later after a back-off
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # stored once, resent on retry
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # the exception's class name only
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
