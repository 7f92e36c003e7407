"""A region in one deployment: municipality of a conversation, teams, news.

Revision ID: tenancy_0001
Revises: referents_0001
"""

from __future__ import annotations

revision: str = "tenancy_0001"
down_revision: str | None = "referents_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the feature that owns this revision


def downgrade() -> None:
    pass
