"""The referent tables come from the migration chain (referents_0001) and match the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import gateway.referents.models  # noqa: F401 - registers the tables on Base
from gateway.core.db import alembic_config
from gateway.core.models import Base

TABLES = ("referent_share_codes", "referent_links", "referent_code_attempts")


def _about_referents(diff: object) -> bool:
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item[1:]:  # type: ignore[index]
            table = getattr(part, "table", None)
            name = table.name if table is not None else getattr(part, "name", part)
            if isinstance(name, str) and name.startswith("referent_"):
                return True
    return False


def test_upgrade_creates_the_tables_as_the_models_say_and_downgrade_removes_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with engine.connect() as connection:
        assert set(TABLES) <= set(inspect(connection).get_table_names())
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert [d for d in diffs if _about_referents(d)] == []
        foreign = {fk["referred_table"] for table in TABLES for fk in inspect(connection).get_foreign_keys(table)}
        assert foreign == {"conversations"}
        assert all(
            fk["options"].get("ondelete") == "CASCADE"
            for table in TABLES for fk in inspect(connection).get_foreign_keys(table)
        )
        sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'referent_links'").scalar()
        assert "AUTOINCREMENT" in str(sql).upper()
    command.downgrade(alembic_config(url), "checkins_0001")
    with engine.connect() as connection:
        assert not set(TABLES) & set(inspect(connection).get_table_names())
    engine.dispose()
