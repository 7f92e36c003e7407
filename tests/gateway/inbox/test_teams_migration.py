"""Migration tenancy_0001 (teams and access): consultants that exist keep their work in a team
serving WEGWIJS_MUNICIPALITY; the downgrade removes the teams again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from gateway.core.db import alembic_config

TEAM_TABLES = {"inbox_teams", "inbox_team_municipalities", "inbox_consultant_teams"}


def test_existing_consultants_join_a_team_of_the_default_municipality_and_downgrade_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    config = alembic_config(url)
    command.upgrade(config, "referents_0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO inbox_consultants (email, name, password_hash, active, created_at) "
            "VALUES ('anna@rivierdam.nl', 'Anna', 'x', 1, CURRENT_TIMESTAMP)"
        ))
    monkeypatch.setenv("WEGWIJS_MUNICIPALITY", "rivierdam")
    command.upgrade(config, "tenancy_0001")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT c.email, t.slug, m.municipality, c.is_admin FROM inbox_consultants c "
            "JOIN inbox_consultant_teams ct ON ct.consultant_id = c.id JOIN inbox_teams t ON t.id = ct.team_id "
            "JOIN inbox_team_municipalities m ON m.team_id = t.id"
        )).all()
    assert [tuple(row) for row in rows] == [("anna@rivierdam.nl", "rivierdam", "rivierdam", 0)]
    assert "municipality" in {c["name"] for c in inspect(engine).get_columns("inbox_tickets")}

    command.downgrade(config, "referents_0001")
    tables = set(inspect(engine).get_table_names())
    assert not TEAM_TABLES & tables
    assert "is_admin" not in {c["name"] for c in inspect(engine).get_columns("inbox_consultants")}
    engine.dispose()
