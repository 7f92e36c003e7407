"""The erasures still to finish: `privacy_pending_erasures` (review finding 1).

Until this revision the table was created at start-up by `gateway.privacy.erase.ensure_pending_table`;
a database that already has it keeps it (and its rows).

Revision ID: privacy_0002
Revises: tenancy_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "privacy_0002"
down_revision: str | None = "tenancy_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("privacy_pending_erasures"):
        return
    op.create_table(
        "privacy_pending_erasures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("before_epoch", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(80), nullable=True),
    )
    op.create_index("ix_privacy_pending_erasures_sender_id", "privacy_pending_erasures", ["sender_id"])


def downgrade() -> None:
    op.drop_index("ix_privacy_pending_erasures_sender_id", table_name="privacy_pending_erasures")
    op.drop_table("privacy_pending_erasures")
