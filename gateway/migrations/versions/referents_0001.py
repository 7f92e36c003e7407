"""The referent's view of a migrant's dates: share codes and links.

Three tables, each with ON DELETE CASCADE to `conversations` (erasing either person removes
them): `referent_share_codes` (an HMAC of a one-time code, 48 hours), `referent_links` (who may
see whose dates, `revoked_at`) and `referent_code_attempts` (wrong codes, for the guessing limit).
On SQLite the ids use AUTOINCREMENT (never reused, as media_0001 does for the other tables).

Revision ID: referents_0001
Revises: checkins_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "referents_0001"
down_revision: str | None = "checkins_0001"
branch_labels = None
depends_on = None


def _conversation(name: str) -> sa.Column:
    return sa.Column(
        name,
        sa.String(32),
        sa.ForeignKey("conversations.id", ondelete="CASCADE", name=f"fk_referents_{name}"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "referent_share_codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _conversation("migrant_conversation_id"),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("share_reminders", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_referent_share_codes_migrant_conversation_id", "referent_share_codes", ["migrant_conversation_id"]
    )
    op.create_table(
        "referent_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _conversation("migrant_conversation_id"),
        _conversation("referent_conversation_id"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("share_reminders", sa.Boolean, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_referent_links_migrant_conversation_id", "referent_links", ["migrant_conversation_id"])
    op.create_index("ix_referent_links_referent_conversation_id", "referent_links", ["referent_conversation_id"])
    op.create_table(
        "referent_code_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _conversation("conversation_id"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_referent_code_attempts_conversation_id", "referent_code_attempts", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_referent_code_attempts_conversation_id", table_name="referent_code_attempts")
    op.drop_table("referent_code_attempts")
    op.drop_index("ix_referent_links_referent_conversation_id", table_name="referent_links")
    op.drop_index("ix_referent_links_migrant_conversation_id", table_name="referent_links")
    op.drop_table("referent_links")
    op.drop_index("ix_referent_share_codes_migrant_conversation_id", table_name="referent_share_codes")
    op.drop_table("referent_share_codes")
