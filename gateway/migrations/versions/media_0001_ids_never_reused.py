"""Message, ticket and reminder ids are never used again (SQLite AUTOINCREMENT).

Without AUTOINCREMENT, SQLite gives a new row the highest rowid + 1, so after the newest rows
were deleted (a user erased their data) their ids come back for someone else's rows (review
finding 2: an old calendar link showed another user's dates). On SQLite the three tables are
rebuilt with `INTEGER PRIMARY KEY AUTOINCREMENT` (batch mode: new table, rows copied with their
ids, old table dropped, new one renamed; indexes and constraints recreated). PostgreSQL sequences
never hand out an id twice: nothing to do there.

Ids deleted before this migration can be handed out once more (SQLite does not remember them);
media links from before it carry no token and are refused anyway.

Revision ID: media_0001
Revises: inbox_0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "media_0001"
down_revision: str | None = "inbox_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("messages", "inbox_tickets", "reminders")
# A partial index that SQLite's reflection does not carry over (its WHERE would be lost).
PARTIAL_INDEXES = {
    "inbox_tickets": [("uq_inbox_tickets_open_conversation", ["conversation_id"], "state != 'closed'")],
}


def _foreign_keys_off(connection: sa.Connection) -> None:
    """Dropping `inbox_tickets` with foreign keys on would cascade to its events and notes.

    The migration's own connection has them off (SQLite's default; `env.py` sets no pragma);
    refuse rather than lose rows if a build of SQLite turns them on and they cannot be turned off.
    """
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
        if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
            raise RuntimeError("media_0001: PRAGMA foreign_keys is on; rebuilding the tables would cascade deletes")


def _has_autoincrement(connection: sa.Connection, table: str) -> bool:
    sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar()
    return sql is not None and "AUTOINCREMENT" in sql.upper()


def _rebuild(table: str, autoincrement: bool) -> None:
    connection = op.get_bind()
    partial = PARTIAL_INDEXES.get(table, [])
    for name, _columns, _where in partial:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table(
        table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    for name, columns, where in partial:
        op.create_index(name, table, columns, unique=True, sqlite_where=sa.text(where))
    assert _has_autoincrement(connection, table) == autoincrement, table


def _sqlite() -> bool:
    if op.get_context().dialect.name != "sqlite":
        return False
    if context.is_offline_mode():
        raise NotImplementedError("media_0001 rebuilds SQLite tables from the live schema: run it online")
    return True


def upgrade() -> None:
    if not _sqlite():
        return
    connection = op.get_bind()
    _foreign_keys_off(connection)
    for table in TABLES:
        if not _has_autoincrement(connection, table):
            _rebuild(table, autoincrement=True)


def downgrade() -> None:
    if not _sqlite():
        return
    connection = op.get_bind()
    _foreign_keys_off(connection)
    for table in TABLES:
        if _has_autoincrement(connection, table):
            _rebuild(table, autoincrement=False)
