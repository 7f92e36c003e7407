"""Inbox: the languages a consultant speaks; two-step login secrets and login failures.

`inbox_consultants.languages` holds language codes, comma-separated ("nl,tr"); existing
consultants get "nl". `inbox_consultant_totp` and `inbox_login_failures` were created outside
the migration chain (by `gateway.inbox.models.ensure_tables`, now removed) on databases that ran an
earlier version: they are created here only when missing, so both kinds of database end equal.

Revision ID: inbox_0002
Revises: privacy_0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "inbox_0002"
down_revision: str | None = "privacy_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade() -> None:
    with op.batch_alter_table("inbox_consultants") as batch:
        batch.add_column(sa.Column("languages", sa.String(64), nullable=False, server_default="nl"))
    existing = _tables()
    if "inbox_consultant_totp" not in existing:
        op.create_table(
            "inbox_consultant_totp",
            sa.Column(
                "consultant_id",
                sa.Integer,
                sa.ForeignKey("inbox_consultants.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("secret", sa.String(64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("last_step", sa.Integer, nullable=True),
        )
    if "inbox_login_failures" not in existing:
        op.create_table(
            "inbox_login_failures",
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("failures", sa.Integer, nullable=False),
            sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        )


def downgrade() -> None:
    existing = _tables()
    for table in ("inbox_login_failures", "inbox_consultant_totp"):
        if table in existing:
            op.drop_table(table)
    with op.batch_alter_table("inbox_consultants") as batch:
        batch.drop_column("languages")
