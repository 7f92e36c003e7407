"""The inbox schema comes from the migration chain alone: `inbox_0002` adds the consultants'
languages and the two tables `ensure_tables` used to create, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import gateway.inbox.models  # noqa: F401 - registers the inbox tables on Base
from gateway.core.db import alembic_config
from gateway.core.models import Base

REVISION = "inbox_0002"
LATE_TABLES = ("inbox_consultant_totp", "inbox_login_failures")
POSTGRES_URL = os.environ.get("WEGWIJS_TEST_POSTGRES_URL")



def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def previous_head() -> str:
    down = script().get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


def test_the_chain_has_one_head_and_it_includes_the_inbox_revision() -> None:
    heads = script().get_heads()
    assert len(heads) == 1, f"more than one alembic head: {heads}"
    assert REVISION in {rev.revision for rev in script().walk_revisions("base", heads[0])}


def test_no_table_is_created_outside_the_migrations() -> None:
    assert not hasattr(gateway.inbox.models, "ensure_tables") and not hasattr(gateway.inbox.models, "LATE_TABLES")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL database next to the test one."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("set WEGWIJS_TEST_POSTGRES_URL=postgresql+psycopg://... to run")
    name = f"wegwijs_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _insert_consultant(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO inbox_consultants (email, name, password_hash, active, created_at) "
            "VALUES ('anna@voorbeeldstad.nl', 'Anna', 'x', true, CURRENT_TIMESTAMP)"
        ))
    engine.dispose()


def _inbox_differences(url: str) -> list[object]:
    """Differences between the migrated inbox tables and the models (alembic's autogenerate)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()

    def tables(diff: object) -> set[str]:
        """The table names a difference is about (diffs are tuples, or lists of tuples)."""
        found: set[str] = set()
        for item in diff if isinstance(diff, list) else [diff]:
            for part in item[1:]:
                table = getattr(part, "table", None)
                name = table.name if table is not None else getattr(part, "name", part)
                if isinstance(name, str):
                    found.add(name)
        return found

    return [d for d in diffs if any(name.startswith("inbox_") for name in tables(d))]


@pytest.mark.parametrize("legacy", [False, True], ids=["clean", "tables made by ensure_tables"])
def test_the_migration_upgrades_a_database_of_the_previous_head(database_url: str, legacy: bool) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, previous_head())
    assert _inbox_differences(database_url)  # the column and the two tables are missing
    _insert_consultant(database_url)
    engine = create_engine(database_url)
    if legacy:
        with engine.begin() as connection:
            # what the removed `gateway.inbox.models.ensure_tables` did on databases of the previous version
            Base.metadata.create_all(connection, tables=[Base.metadata.tables[t] for t in LATE_TABLES])
            connection.execute(text(
                "INSERT INTO inbox_login_failures (key, failures, last_at) VALUES ('k', 3, CURRENT_TIMESTAMP)"
            ))
    else:
        assert not set(LATE_TABLES) & set(inspect(engine).get_table_names())

    command.upgrade(config, "head")

    names = set(inspect(engine).get_table_names())
    assert set(LATE_TABLES) <= names
    with engine.connect() as connection:
        assert connection.execute(text("SELECT languages FROM inbox_consultants")).scalar_one() == "nl"
        if legacy:  # rows in a table made before the migration are kept
            assert connection.execute(text("SELECT failures FROM inbox_login_failures")).scalar_one() == 3
    engine.dispose()
    assert _inbox_differences(database_url) == []

    # and back: the previous head has no languages and no late tables; then forward again
    command.downgrade(config, previous_head())
    engine = create_engine(database_url)
    assert not set(LATE_TABLES) & set(inspect(engine).get_table_names())
    assert "languages" not in {c["name"] for c in inspect(engine).get_columns("inbox_consultants")}
    engine.dispose()
    command.upgrade(config, "head")
    assert _inbox_differences(database_url) == []
