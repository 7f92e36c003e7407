"""Migration media_0001 (review finding 2): SQLite tables rebuilt with AUTOINCREMENT keep every
row with its id, their indexes and constraints, and the rows that hang off them; PostgreSQL is
left alone (its sequences never reuse ids)."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import IntegrityError

from gateway.core.db import alembic_config

REVISION = "media_0001"
TABLES = ("messages", "inbox_tickets", "reminders")
ALL_TABLES = ("conversations", *TABLES, "inbox_ticket_events", "inbox_notes", "inbox_consultants")
T = "2025-06-01 10:00:00.000000"


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def previous() -> str:
    down = script().get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


def test_the_chain_has_one_head_and_it_includes_the_revision() -> None:
    heads = script().get_heads()
    assert len(heads) == 1, f"more than one alembic head: {heads}"
    assert REVISION in {rev.revision for rev in script().walk_revisions("base", heads[0])}


def fill(connection) -> None:  # type: ignore[no-untyped-def]
    """Rows as an old database has them: gaps in the ids, tickets with events and notes."""
    run = connection.exec_driver_sql
    run(f"INSERT INTO conversations VALUES ('c1', 'web', 'u1', 'nl', '{T}', NULL)")
    run("INSERT INTO inbox_consultants (id, email, name, password_hash, active, created_at) "
        f"VALUES (1, 'anna@voorbeeldstad.nl', 'Anna', 'x', 1, '{T}')")
    for i in (1, 2, 3, 5, 6):
        run("INSERT INTO messages (id, conversation_id, direction, sender, text, payload, created_at) "
            f"VALUES ({i}, 'c1', 'out', 'bot', 'tekst {i}', '{{\"n\": {i}}}', '{T}')")
    for i, state in ((1, "closed"), (2, "closed"), (4, "waiting")):
        run("INSERT INTO inbox_tickets (id, conversation_id, state, reason, language, channel, channel_user_id, "
            "slots, created_at, updated_at, first_message_id, user_acknowledged, resume_pending) "
            f"VALUES ({i}, 'c1', '{state}', 'user_request', 'nl', 'web', 'u1', '{{}}', '{T}', '{T}', 0, 0, 0)")
        run(f"INSERT INTO inbox_ticket_events (ticket_id, at, actor, kind, data) VALUES ({i}, '{T}', 'user', 'created', '{{}}')")
        run(f"INSERT INTO inbox_notes (ticket_id, consultant_id, text, created_at) VALUES ({i}, 1, 'notitie {i}', '{T}')")
    for i in (2, 7):
        run("INSERT INTO reminders (id, conversation_id, kind, due_date, send_at, text_key, lang, status, attempts, "
            f"next_attempt_at, message_id, created_at) VALUES ({i}, 'c1', 'k', '2027-01-01', '{T}', 'k', 'nl', "
            f"'scheduled', 0, '{T}', 5, '{T}')")


def snapshot(connection) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    return {t: [tuple(r) for r in connection.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1")] for t in ALL_TABLES}


def schema(url: str) -> dict[str, object]:
    """Everything about the three tables except AUTOINCREMENT: columns, keys, indexes."""
    engine = create_engine(url)
    inspector = inspect(engine)
    found: dict[str, object] = {}
    for table in TABLES:
        found[table] = (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            inspector.get_pk_constraint(table)["constrained_columns"],
            sorted((tuple(fk["constrained_columns"]), fk["referred_table"], fk["options"].get("ondelete"))
                   for fk in inspector.get_foreign_keys(table)),
            sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)),
        )
    with engine.connect() as connection:
        # index definitions verbatim, so a partial index keeps its WHERE
        found["indexes"] = sorted(connection.exec_driver_sql(
            "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ))
    engine.dispose()
    return found


def autoincrement(connection, table: str) -> bool:  # type: ignore[no-untyped-def]
    sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar_one()
    return "AUTOINCREMENT" in sql.upper()


def test_sqlite_tables_are_rebuilt_with_autoincrement_keeping_rows_ids_and_indexes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, previous())
    engine = create_engine(url)
    with engine.begin() as connection:
        fill(connection)
        before = snapshot(connection)
        assert not any(autoincrement(connection, t) for t in TABLES)
    engine.dispose()
    schema_before = schema(url)

    command.upgrade(config, REVISION)

    engine = create_engine(url)
    with engine.connect() as connection:
        assert all(autoincrement(connection, t) for t in TABLES)
        assert snapshot(connection) == before  # every row, with its id; events and notes not cascaded away
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    assert schema(url) == schema_before
    engine.dispose()

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        run = connection.exec_driver_sql
        # the partial unique index still allows many closed tickets but one open one per conversation
        ticket = ("INSERT INTO inbox_tickets (conversation_id, state, reason, language, channel, channel_user_id, "
                  "slots, created_at, updated_at, first_message_id, user_acknowledged, resume_pending) "
                  f"VALUES ('c1', '{{state}}', 'r', 'nl', 'web', 'u1', '{{{{}}}}', '{T}', '{T}', 0, 0, 0)")
        run(ticket.format(state="closed"))
        with pytest.raises(IntegrityError):
            with connection.begin_nested():
                run(ticket.format(state="waiting"))
        # a deleted newest id is not handed out again
        run("DELETE FROM messages WHERE id = 6")
        new_id = run("INSERT INTO messages (conversation_id, direction, sender, created_at) "
                     f"VALUES ('c1', 'out', 'bot', '{T}') RETURNING id").scalar_one()
        assert new_id == 7
        # the foreign keys still cascade from conversations
        run("DELETE FROM conversations WHERE id = 'c1'")
        assert all(run(f"SELECT count(*) FROM {t}").scalar_one() == 0 for t in (*TABLES, "inbox_ticket_events"))
    engine.dispose()


def test_the_migration_goes_down_and_up_again_keeping_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    config = alembic_config(url)
    command.upgrade(config, REVISION)
    engine = create_engine(url)
    with engine.begin() as connection:
        fill(connection)
        before = snapshot(connection)
    engine.dispose()
    schema_before = schema(url)

    command.downgrade(config, previous())
    engine = create_engine(url)
    with engine.connect() as connection:
        assert not any(autoincrement(connection, t) for t in TABLES)
        assert snapshot(connection) == before
    engine.dispose()
    command.upgrade(config, REVISION)
    engine = create_engine(url)
    with engine.connect() as connection:
        assert all(autoincrement(connection, t) for t in TABLES)
        assert snapshot(connection) == before
    engine.dispose()
    assert schema(url) == schema_before


def test_the_migration_does_nothing_on_postgresql() -> None:
    """Offline SQL for PostgreSQL: only the version row changes (sequences never reuse ids)."""
    config = alembic_config("postgresql://wegwijs@localhost/wegwijs")
    out = io.StringIO()
    with redirect_stdout(out):
        command.upgrade(config, f"{previous()}:{REVISION}", sql=True)
    statements = [line for line in out.getvalue().splitlines() if line and not line.startswith("--")]
    assert statements and all(
        s.startswith(("BEGIN", "COMMIT", "UPDATE alembic_version_channels")) for s in statements
    ), statements

