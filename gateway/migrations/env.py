"""Alembic environment for the gateway database (run via `gateway.core.db.migrate`)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from gateway.core.db import VERSION_TABLE
from gateway.core.models import Base

config = context.config
target_metadata = Base.metadata
version_table = config.get_main_option("version_table") or VERSION_TABLE


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        version_table=version_table,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_engine(url, poolclass=pool.NullPool)  # no connection outlives the run
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
