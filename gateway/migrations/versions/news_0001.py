"""News per municipality: subscriptions, messages, deliveries.

Revision ID: news_0001
Revises: privacy_0002
"""

from __future__ import annotations

revision: str = "news_0001"
down_revision: str | None = "privacy_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the feature that owns this revision


def downgrade() -> None:
    pass
