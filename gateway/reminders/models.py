"""The `reminders` table: one row per reminder a user opted in to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.models import Base, UTCDateTime, utcnow

STATUSES = ("scheduled", "sent", "cancelled", "failed")


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_status_next_attempt", "status", "next_attempt_at"),
        {"sqlite_autoincrement": True},  # ids are never reused (migration media_0001)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))  # termijn_end_6m, verlenging_earliest, ...
    due_date: Mapped[date] = mapped_column(Date)  # the date the reminder is about
    send_at: Mapped[datetime] = mapped_column(UTCDateTime())  # 09:00 local on the reminder day
    text_key: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(8), default="nl")
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the sender may (re)try: send_at at first, later after a back-off, or a lease while sending.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # stored once, resent on retry
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
