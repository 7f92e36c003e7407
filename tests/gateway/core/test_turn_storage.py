"""How a turn is stored: inbound first (committed before the engine is asked), the replies
together in one transaction with ids in reply order, and the SQLite connection settings."""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import event, select

from gateway.core import crud
from gateway.core.conversation import ConversationService, PayloadContext
from gateway.core.db import make_engine, make_session_factory, migrate
from gateway.core.models import Conversation, Message
from gateway.core.schemas import OutgoingMessage
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings, running

POSTGRES_URL = os.environ.get("WEGWIJS_TEST_POSTGRES_URL")


def service_of(app: FastAPI) -> ConversationService:
    return app.state.conversations


def three_replies(body: dict) -> list[dict]:
    return [
        {"recipient_id": body["sender"], "text": "een"},
        {"recipient_id": body["sender"], "text": "twee", "buttons": [{"title": "Ja", "payload": "/affirm"}]},
        {"recipient_id": body["sender"], "text": "drie"},
    ]


class MessageInsertsPerTransaction:
    """Lists the committed transactions that inserted into `messages` (number of INSERTs in each)."""

    def __init__(self, app: FastAPI) -> None:
        self.engine = app.state.db_engine
        self.transactions: list[int] = []
        self._current = 0

    def __enter__(self) -> MessageInsertsPerTransaction:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement: str, *args: object) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("INSERT INTO MESSAGES"):
            self._current += 1

    def _commit(self, conn) -> None:  # noqa: ANN001
        if self._current:
            self.transactions.append(self._current)
        self._current = 0


@pytest.mark.asyncio
async def test_all_replies_of_a_turn_are_stored_in_one_transaction_after_the_inbound_message(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = three_replies
    with MessageInsertsPerTransaction(app) as inserts:
        replies = await service_of(app).handle_user_message(
            channel="web", channel_user_id="s-turn-0001", text="hoi"
        )
    assert len(inserts.transactions) == 2  # the inbound message, then all three replies together
    assert inserts.transactions[0] == 1
    assert [r.text for r in replies] == ["een", "twee", "drie"]
    ids = [r.id for r in replies]
    assert ids == sorted(ids) and len(set(ids)) == 3
    with service_of(app).session_factory() as session:
        stored = list(session.scalars(select(Message).order_by(Message.id)))
    assert [(m.direction, m.text) for m in stored] == [
        ("in", "hoi"), ("out", "een"), ("out", "twee"), ("out", "drie")
    ]
    assert [m.id for m in stored[1:]] == ids
    assert stored[2].payload == {"buttons": [{"title": "Ja", "payload": "/affirm"}]}
    assert stored[1].payload is None and stored[1].created_at.tzinfo is not None


@pytest.mark.asyncio
async def test_ids_follow_the_reply_order_when_a_payload_handler_stores_a_message_itself(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = lambda body: [
        {"recipient_id": body["sender"], "text": "voor"},
        {"recipient_id": body["sender"], "custom": {"wegwijs": {"type": "early"}}},
        {"recipient_id": body["sender"], "text": "na"},
    ]

    async def early(ctx: PayloadContext, data: dict) -> list[OutgoingMessage]:
        stored = ctx.store(OutgoingMessage(text="vroeg opgeslagen"))
        return [stored, OutgoingMessage(text="van de handler")]

    service = service_of(app)
    service.register_payload_handler("early", early)
    replies = await service.handle_user_message(channel="web", channel_user_id="s-turn-0002", text="hoi")
    assert [r.text for r in replies] == ["voor", "vroeg opgeslagen", "van de handler", "na"]
    ids = [r.id for r in replies]
    assert ids == sorted(ids) and len(set(ids)) == 4
    with service.session_factory() as session:
        outgoing = select(Message.text).where(Message.direction == "out").order_by(Message.id)
        stored = list(session.scalars(outgoing))
    assert stored == ["voor", "vroeg opgeslagen", "van de handler", "na"]


@pytest.mark.asyncio
async def test_the_inbound_message_is_committed_before_the_engine_is_asked(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    seen_by_another_connection: list[list[tuple]] = []

    def reply(body: dict) -> list[dict]:
        with sqlite3.connect(tmp_path / "gateway.db") as db:  # not the gateway's connection
            seen_by_another_connection.append(db.execute("SELECT direction, text FROM messages").fetchall())
        return [{"recipient_id": body["sender"], "text": "antwoord"}]

    async with running(settings, FakeRasa(reply=reply)) as (app, _client):
        await service_of(app).handle_user_message(channel="web", channel_user_id="s-turn-0003", text="hoi")
    assert seen_by_another_connection == [[("in", "hoi")]]


@pytest.mark.asyncio
async def test_a_dropped_repeat_changes_nothing_in_the_conversation(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    service = service_of(app)
    await service.handle_user_message(
        channel="web", channel_user_id="s-turn-0004", text="hoi", platform_message_id="p1"
    )
    with service.session_factory() as session:
        before = session.scalars(select(Conversation)).one()
    again = await service.handle_user_message(
        channel="web", channel_user_id="s-turn-0004", text="hoi", platform_message_id="p1",
        metadata={"lang": "en"},
    )
    assert again == [] and len(fake_rasa.messages) == 1
    with service.session_factory() as session:
        after = session.scalars(select(Conversation)).one()
        assert [m.direction for m in session.scalars(select(Message))] == ["in", "out"]
    assert (after.language, after.last_user_message_at) == (before.language, before.last_user_message_at)


@pytest.mark.asyncio
async def test_the_language_in_the_metadata_is_stored_with_the_message(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    service = service_of(app)
    for language in ("en", "xx"):  # a known language is kept, an unknown one ignored
        await service.handle_user_message(
            channel="web", channel_user_id="s-turn-0005", text="hi", metadata={"lang": language}
        )
    with service.session_factory() as session:
        conversation = session.scalars(select(Conversation)).one()
    assert conversation.language == "en"
    assert conversation.last_user_message_at is not None
    assert conversation.last_user_message_at.tzinfo is not None


def test_sqlite_connections_use_wal_with_synchronous_normal_and_foreign_keys(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
            assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        engine.dispose()


def test_only_server_databases_ping_a_pooled_connection_before_use(tmp_path: Path) -> None:
    sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    postgres_engine = make_engine("postgresql+psycopg://user@127.0.0.1:1/none")  # never connected
    try:
        assert sqlite_engine.pool._pre_ping is False
        assert postgres_engine.pool._pre_ping is True
    finally:
        sqlite_engine.dispose()
        postgres_engine.dispose()


@pytest.mark.skipif(not POSTGRES_URL, reason="set WEGWIJS_TEST_POSTGRES_URL=postgresql+psycopg://... to run")
@pytest.mark.asyncio
async def test_on_postgresql_the_replies_of_a_turn_get_ids_in_reply_order(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url=POSTGRES_URL)
    user = f"pg-turn-{uuid.uuid4().hex[:12]}"

    def many(body: dict) -> list[dict]:
        return [{"recipient_id": body["sender"], "text": f"antwoord {i}"} for i in range(12)]

    async with running(settings, FakeRasa(reply=many)) as (app, client):
        response = await client.post("/webchat/api/messages", json={"session_id": user, "text": "hoi"})
        messages = response.json()["messages"]
        assert [m["text"] for m in messages] == [f"antwoord {i}" for i in range(12)]
        assert [m["id"] for m in messages] == sorted(m["id"] for m in messages)
        polled = (await client.get("/webchat/api/messages", params={"session_id": user})).json()["messages"]
        assert [m["text"] for m in polled] == ["hoi", *(f"antwoord {i}" for i in range(12))]
        beyond = await client.get("/webchat/api/messages", params={"session_id": user, "after": 2**63})
        assert beyond.status_code == 200 and beyond.json()["messages"] == []
        retried = {"session_id": user, "text": "x", "client_message_id": "c1"}
        again = await client.post("/webchat/api/messages", json=retried)
        repeat = await client.post("/webchat/api/messages", json=retried)
        assert again.json()["messages"] and repeat.json()["messages"] == []


@pytest.mark.skipif(not POSTGRES_URL, reason="set WEGWIJS_TEST_POSTGRES_URL=postgresql+psycopg://... to run")
def test_on_postgresql_messages_inserted_together_get_ids_in_the_given_order(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url=POSTGRES_URL)
    migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            conversation = crud.get_or_create_conversation(
                session=session, channel="web", channel_user_id=f"pg-order-{uuid.uuid4().hex[:12]}"
            )
            rows = [{"conversation_id": conversation.id, "direction": "out", "sender": "bot", "text": str(i)}
                    for i in range(50)]
            ids = crud.insert_messages(session=session, rows=rows)
            session.commit()
            stored = {m.id: m.text for m in session.scalars(select(Message).where(Message.id.in_(ids)))}
        assert ids == sorted(ids) and [stored[i] for i in ids] == [str(i) for i in range(50)]
    finally:
        engine.dispose()


@pytest.mark.asyncio
async def test_polling_with_an_id_beyond_any_stored_id_returns_no_messages(client) -> None:  # noqa: ANN001
    session_id = "s-turn-0006"
    await client.post("/webchat/api/messages", json={"session_id": session_id, "text": "hoi"})
    for after in (2**63 - 1, 2**63, 10**30):
        params = {"session_id": session_id, "after": after}
        response = await client.get("/webchat/api/messages", params=params)
        assert response.status_code == 200 and response.json()["messages"] == []


def _store_the_same_message_twice_at_once(service: ConversationService, user: str) -> list[object]:
    barrier = threading.Barrier(2)
    results: list[object] = []

    def store() -> None:
        barrier.wait()
        results.append(service._store_inbound(
            channel="telegram", channel_user_id=user, text="hoi", platform_message_id="same-update",
            metadata={}, display_text=None,
        ))

    threads = [threading.Thread(target=store) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="set WEGWIJS_TEST_POSTGRES_URL=postgresql+psycopg://... to run"))]


@pytest.mark.parametrize("database", DATABASES)
@pytest.mark.asyncio
async def test_a_platform_message_id_arriving_twice_at_the_same_moment_is_stored_once(
    tmp_path: Path, database: str
) -> None:
    settings = make_settings(tmp_path, **({"database_url": POSTGRES_URL} if database == "postgresql" else {}))
    user = f"race-{uuid.uuid4().hex[:12]}"
    async with running(settings, FakeRasa()) as (app, _client):
        service = service_of(app)
        await service.handle_user_message(channel="telegram", channel_user_id=user, text="eerst")
        results = _store_the_same_message_twice_at_once(service, user)
        assert len(results) == 2 and sorted(r is None for r in results) == [False, True]
        with service.session_factory() as session:
            stored = session.scalars(
                select(Message.text).join(Conversation).where(
                    Conversation.channel_user_id == user, Message.platform_message_id == "same-update"
                )
            ).all()
        assert stored == ["hoi"]
