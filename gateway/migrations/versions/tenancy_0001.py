"""A region in one deployment: municipality of a conversation, teams, news.

Revision ID: tenancy_0001
Revises: referents_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "tenancy_0001"
down_revision: str | None = "referents_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("municipality", sa.String(64), nullable=True))
        batch.create_index("ix_conversations_municipality", ["municipality"])
    # teams, consultants' teams and news: added below by the region feature


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_municipality")
        batch.drop_column("municipality")
