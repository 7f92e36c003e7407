"""Check-ins (regievoering): opt-in, schedule, answers, regievoerder consent.

Revision ID: checkins_0001
Revises: media_0001
"""

from __future__ import annotations

revision: str = "checkins_0001"
down_revision: str | None = "media_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the feature that owns this revision


def downgrade() -> None:
    pass
