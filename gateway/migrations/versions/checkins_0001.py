"""Check-ins (regievoering): opt-in, schedule, answers, regievoerder consent.

Revision ID: checkins_0001
Revises: media_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "checkins_0001"
down_revision: str | None = "media_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkin_plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE", name="fk_checkin_plans_conversation"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("interval_weeks", sa.Integer, nullable=False),
        sa.Column("deadline_input", sa.JSON, nullable=False),
        sa.Column("hours_total", sa.Float, nullable=False),
        sa.Column("exams_total", sa.Integer, nullable=False),
        sa.Column("baseline", sa.JSON, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checkin_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("conversation_id", name="uq_checkin_plans_conversation"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_checkin_plans_status_next_attempt", "checkin_plans", ["status", "next_attempt_at"])
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("checkin_plans.id", ondelete="CASCADE", name="fk_checkins_plan"),
            nullable=False,
        ),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE", name="fk_checkins_conversation"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("question_message_id", sa.Integer, nullable=True),
        sa.Column("hours", sa.Float, nullable=True),
        sa.Column("hours_choice", sa.String(16), nullable=True),
        sa.Column("exams", sa.Integer, nullable=True),
        sa.Column("obstacle", sa.String(20), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_checkins_plan_status", "checkins", ["plan_id", "status"])
    op.create_index("ix_checkins_conversation_id", "checkins", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_checkins_conversation_id", table_name="checkins")
    op.drop_index("ix_checkins_plan_status", table_name="checkins")
    op.drop_table("checkins")
    op.drop_index("ix_checkin_plans_status_next_attempt", table_name="checkin_plans")
    op.drop_table("checkin_plans")
