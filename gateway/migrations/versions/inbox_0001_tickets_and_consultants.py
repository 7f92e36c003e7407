"""Inbox: consultants, login sessions, handoff tickets, ticket events and notes.

Revision ID: inbox_0001
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "inbox_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_ONLY = "state != 'closed'"


def upgrade() -> None:
    op.create_table(
        "inbox_consultants",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "inbox_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "consultant_id",
            sa.Integer,
            sa.ForeignKey("inbox_consultants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inbox_sessions_consultant_id", "inbox_sessions", ["consultant_id"])
    op.create_table(
        "inbox_tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(80), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("channel_user_id", sa.String(128), nullable=False),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("slots", sa.JSON, nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_message_id", sa.Integer, nullable=False),
        sa.Column("last_message_id", sa.Integer, nullable=True),
        sa.Column(
            "assigned_to",
            sa.Integer,
            sa.ForeignKey("inbox_consultants.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_human_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_human_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_user_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_acknowledged", sa.Boolean, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(40), nullable=True),
        sa.Column("resume_pending", sa.Boolean, nullable=False),
    )
    op.create_index("ix_inbox_tickets_conversation_id", "inbox_tickets", ["conversation_id"])
    op.create_index("ix_inbox_tickets_state_created", "inbox_tickets", ["state", "created_at"])
    op.create_index(
        "uq_inbox_tickets_open_conversation",
        "inbox_tickets",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_ONLY),
        postgresql_where=sa.text(OPEN_ONLY),
    )
    op.create_table(
        "inbox_ticket_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id", sa.Integer, sa.ForeignKey("inbox_tickets.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_inbox_ticket_events_ticket_id", "inbox_ticket_events", ["ticket_id"])
    op.create_table(
        "inbox_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id", sa.Integer, sa.ForeignKey("inbox_tickets.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "consultant_id",
            sa.Integer,
            sa.ForeignKey("inbox_consultants.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inbox_notes_ticket_id", "inbox_notes", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_notes_ticket_id", table_name="inbox_notes")
    op.drop_table("inbox_notes")
    op.drop_index("ix_inbox_ticket_events_ticket_id", table_name="inbox_ticket_events")
    op.drop_table("inbox_ticket_events")
    op.drop_index("uq_inbox_tickets_open_conversation", table_name="inbox_tickets")
    op.drop_index("ix_inbox_tickets_state_created", table_name="inbox_tickets")
    op.drop_index("ix_inbox_tickets_conversation_id", table_name="inbox_tickets")
    op.drop_table("inbox_tickets")
    op.drop_index("ix_inbox_sessions_consultant_id", table_name="inbox_sessions")
    op.drop_table("inbox_sessions")
    op.drop_table("inbox_consultants")
