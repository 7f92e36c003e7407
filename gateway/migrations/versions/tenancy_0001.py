"""A region in one deployment: municipality of a conversation, teams, news.

Revision ID: tenancy_0001
Revises: referents_0001
"""

from __future__ import annotations

import os

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
    _upgrade_teams()


def downgrade() -> None:
    _downgrade_teams()
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_municipality")
        batch.drop_column("municipality")


# -- teams and access (gateway/inbox/access.py) -------------------------------------------
def _upgrade_teams() -> None:
    """Teams serving municipalities, consultants in teams, the admin flag, and each ticket's
    municipality (copied from its conversation; NULL counts as WEGWIJS_MUNICIPALITY).

    Consultants that exist already keep their work: they go into one team serving the
    deployment's municipality (WEGWIJS_MUNICIPALITY), named after it."""
    op.create_table(
        "inbox_teams",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("notify_emails", sa.Text, nullable=True),
        sa.Column("webhook_url", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "inbox_team_municipalities",
        sa.Column("team_id", sa.Integer, sa.ForeignKey("inbox_teams.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("municipality", sa.String(64), primary_key=True),
    )
    op.create_index("ix_inbox_team_municipalities_municipality", "inbox_team_municipalities", ["municipality"])
    op.create_table(
        "inbox_consultant_teams",
        sa.Column(
            "consultant_id", sa.Integer, sa.ForeignKey("inbox_consultants.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("inbox_teams.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_inbox_consultant_teams_team_id", "inbox_consultant_teams", ["team_id"])
    with op.batch_alter_table("inbox_consultants") as batch:
        batch.add_column(sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("inbox_tickets") as batch:
        batch.add_column(sa.Column("municipality", sa.String(64), nullable=True))
        batch.create_index("ix_inbox_tickets_municipality", ["municipality"])
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE inbox_tickets SET municipality = (SELECT c.municipality FROM conversations c "
        "WHERE c.id = inbox_tickets.conversation_id)"
    ))
    consultants = [row[0] for row in bind.execute(sa.text("SELECT id FROM inbox_consultants"))]
    if consultants:
        municipality = os.environ.get("WEGWIJS_MUNICIPALITY", "voorbeeldstad").strip() or "voorbeeldstad"
        bind.execute(
            sa.text("INSERT INTO inbox_teams (slug, name, created_at) VALUES (:slug, :name, CURRENT_TIMESTAMP)"),
            {"slug": municipality[:64], "name": municipality.capitalize()},
        )
        team_id = bind.execute(sa.text("SELECT id FROM inbox_teams WHERE slug = :slug"), {"slug": municipality[:64]}).scalar_one()
        bind.execute(
            sa.text("INSERT INTO inbox_team_municipalities (team_id, municipality) VALUES (:team, :municipality)"),
            {"team": team_id, "municipality": municipality},
        )
        bind.execute(
            sa.text("INSERT INTO inbox_consultant_teams (consultant_id, team_id) VALUES (:consultant, :team)"),
            [{"consultant": cid, "team": team_id} for cid in consultants],
        )


def _downgrade_teams() -> None:
    with op.batch_alter_table("inbox_tickets") as batch:
        batch.drop_index("ix_inbox_tickets_municipality")
        batch.drop_column("municipality")
    with op.batch_alter_table("inbox_consultants") as batch:
        batch.drop_column("is_admin")
    op.drop_index("ix_inbox_consultant_teams_team_id", table_name="inbox_consultant_teams")
    op.drop_table("inbox_consultant_teams")
    op.drop_index("ix_inbox_team_municipalities_municipality", table_name="inbox_team_municipalities")
    op.drop_table("inbox_team_municipalities")
    op.drop_table("inbox_teams")
