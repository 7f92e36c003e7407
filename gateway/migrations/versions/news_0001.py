"""News per municipality: subscriptions, messages, deliveries.

Revision ID: news_0001
Revises: privacy_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "news_0001"
down_revision: str | None = "privacy_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "news_subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE", name="fk_news_subscriptions_conversation"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("conversation_id", name="uq_news_subscriptions_conversation"),
    )
    op.create_table(
        "news_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("municipality", sa.String(64), nullable=False),
        sa.Column("texts", sa.JSON, nullable=False),
        sa.Column("link", sa.String(500), nullable=True),
        sa.Column("consultant_id", sa.Integer, nullable=True),
        sa.Column("form_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
        sa.UniqueConstraint("form_key", name="uq_news_messages_form_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_news_messages_municipality", "news_messages", ["municipality"])
    op.create_table(
        "news_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "news_id",
            sa.Integer,
            sa.ForeignKey("news_messages.id", ondelete="CASCADE", name="fk_news_deliveries_news"),
            nullable=False,
        ),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE", name="fk_news_deliveries_conversation"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("news_id", "conversation_id", name="uq_news_deliveries_news_conversation"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_news_deliveries_news_id", "news_deliveries", ["news_id"])
    op.create_index("ix_news_deliveries_conversation_id", "news_deliveries", ["conversation_id"])
    op.create_index("ix_news_deliveries_status_next_attempt", "news_deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_news_deliveries_status_next_attempt", table_name="news_deliveries")
    op.drop_index("ix_news_deliveries_conversation_id", table_name="news_deliveries")
    op.drop_index("ix_news_deliveries_news_id", table_name="news_deliveries")
    op.drop_table("news_deliveries")
    op.drop_index("ix_news_messages_municipality", table_name="news_messages")
    op.drop_table("news_messages")
    op.drop_table("news_subscriptions")
