"""Migrations and storage: alembic creates the schema; times come back timezone-aware UTC."""

from __future__ import annotations

import os
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from gateway.core import crud
from gateway.core.db import VERSION_TABLE, make_engine, make_session_factory, migrate
from gateway.core.models import Conversation, Message
from tests.support.gateway import make_settings


def test_migrate_creates_the_tables_on_a_new_sqlite_file_and_is_idempotent(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'sub' / 'new.db'}")
    migrate(settings)
    migrate(settings)
    engine = make_engine(settings.database_url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"conversations", "messages", VERSION_TABLE} <= names


def test_times_are_stored_and_read_back_as_aware_utc(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    migrate(settings)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        conversation = crud.get_or_create_conversation(
            session=session, channel="web", channel_user_id="abcdefgh"
        )
        from datetime import datetime

        amsterdam = timezone(timedelta(hours=2))
        crud.add_message(
            session=session,
            conversation_id=conversation.id,
            direction="in",
            sender="user",
            text="hoi",
            created_at=datetime(2026, 6, 1, 14, 0, tzinfo=amsterdam),
        )
        session.commit()
    with sessions() as session:
        message = session.scalars(select(Message)).one()
        assert message.created_at.tzinfo is not None
        assert message.created_at.utcoffset() == timedelta(0) and message.created_at.hour == 12
        assert session.scalars(select(Conversation)).one().created_at.tzinfo is not None
    engine.dispose()


def test_a_platform_message_id_is_unique_within_a_conversation(tmp_path: Path) -> None:
    from sqlalchemy.exc import IntegrityError

    settings = make_settings(tmp_path)
    migrate(settings)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        conversation = crud.get_or_create_conversation(
            session=session, channel="telegram", channel_user_id="1"
        )
        crud.add_message(
            session=session,
            conversation_id=conversation.id,
            direction="in",
            sender="user",
            text="x",
            platform_message_id="9",
        )
        with pytest.raises(IntegrityError):
            crud.add_message(
                session=session,
                conversation_id=conversation.id,
                direction="in",
                sender="user",
                text="x",
                platform_message_id="9",
            )
    engine.dispose()


POSTGRES_URL = os.environ.get("WEGWIJS_TEST_POSTGRES_URL")


@pytest.mark.skipif(not POSTGRES_URL, reason="set WEGWIJS_TEST_POSTGRES_URL=postgresql+psycopg://... to run")
def test_migrations_and_storage_work_on_postgresql(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url=POSTGRES_URL)
    migrate(settings)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        conversation = crud.get_or_create_conversation(
            session=session, channel="web", channel_user_id=f"pg-{tmp_path.name}"
        )
        message = crud.add_message(
            session=session,
            conversation_id=conversation.id,
            direction="in",
            sender="user",
            text="hoi",
            payload={"display_text": "hoi"},
        )
        session.commit()
        assert session.get(Message, message.id).created_at.utcoffset() == timedelta(0)
    engine.dispose()
