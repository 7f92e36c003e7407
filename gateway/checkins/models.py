"""The check-in tables: one plan per conversation that opted in, one row per check-in sent.

- `checkin_plans`: the deadline input the plan started from, when the next check-in goes out
  (`next_at`; `next_attempt_at` is that time, a lease while sending or a back-off), the running
  totals the person reported, and the separate consent for the regievoerder (`consent_at`:
  given and not revoked; None otherwise).
- `checkins`: what was asked and answered at each check-in, and the recomputed projection
  (`result`: termijn end, projected 600-hours date, pace, risk, what changed).

Both hang off `conversations` (ON DELETE CASCADE): "delete my data" and retention remove them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.models import Base, UTCDateTime, utcnow

PLAN_STATUSES = ("active", "stopped")
CHECKIN_STATUSES = ("sending", "open", "done", "missed", "cancelled")
STEPS = ("hours", "exams", "obstacle", "done")
OBSTACLES = ("money", "work_children", "health", "school", "other", "none")


class CheckinPlan(Base):
    __tablename__ = "checkin_plans"
    __table_args__ = (
        Index("ix_checkin_plans_status_next_attempt", "status", "next_attempt_at"),
        UniqueConstraint("conversation_id", name="uq_checkin_plans_conversation"),  # one plan per conversation
        {"sqlite_autoincrement": True},  # ids are never reused
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16), default="active")
    lang: Mapped[str] = mapped_column(String(8), default="nl")
    interval_weeks: Mapped[int] = mapped_column(Integer, default=12)
    # The deadline answer's input (without "today"); each check-in recomputes from it.
    deadline_input: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Running totals: the hours and exams at the start plus what each check-in reported.
    hours_total: Mapped[float] = mapped_column(Float, default=0)
    exams_total: Mapped[int] = mapped_column(Integer, default=0)
    # The projection at opt-in (the "before" of the first check-in's "what changed").
    baseline: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_checkin_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # last one answered
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The regievoerder's view: asked once, given with a time, revocable (then None again).
    consent_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    consent_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Checkin(Base):
    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_plan_status", "plan_id", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(Integer, ForeignKey("checkin_plans.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the plan
    status: Mapped[str] = mapped_column(String(16), default="sending")
    step: Mapped[str] = mapped_column(String(16), default="hours")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    question_message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the question now asked
    hours: Mapped[float | None] = mapped_column(Float, nullable=True)  # reported since the last check-in
    hours_choice: Mapped[str | None] = mapped_column(String(16), nullable=True)  # a button's range, or "typed"
    exams: Mapped[int | None] = mapped_column(Integer, nullable=True)
    obstacle: Mapped[str | None] = mapped_column(String(20), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
