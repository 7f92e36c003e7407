"""The referent's view of a migrant's dates: share codes and links.

Revision ID: referents_0001
Revises: checkins_0001
"""

from __future__ import annotations

revision: str = "referents_0001"
down_revision: str | None = "checkins_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the feature that owns this revision


def downgrade() -> None:
    pass
