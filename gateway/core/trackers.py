"""Rasa's SQL tracker store as the gateway sees it: the one module that knows its schema.

Rasa 3.6's `SQLTrackerStore` keeps one table, `events(id, sender_id, type_name, timestamp,
intent_name, action_name, data)`, where `data` is the event as JSON. The gateway reads it for the
inbox statistics (questions per topic) and deletes from it for "delete my data" and retention.
Nothing else in the gateway names that table or its columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import (
    Column,
    ColumnElement,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.engine import make_url

TRACKER_TABLE = "events"
BATCH = 500  # sender ids per DELETE statement

EVENTS = Table(
    TRACKER_TABLE,
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

_engines: dict[str, Engine] = {}


class TrackerStoreError(Exception):
    """The tracker store could not be read or changed; the message says why (no personal data)."""


def tracker_engine(url: str) -> Engine | None:
    """A (cached) engine for the tracker store; None for an SQLite file that does not exist."""
    if url in _engines:
        return _engines[url]
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or not Path(parsed.database).exists()):
        return None  # do not create an empty tracker database
    from gateway.core.db import make_engine

    engine = make_engine(url)
    _engines[url] = engine
    return engine


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def delete_events(
    tracker_url: str | None,
    *,
    sender_ids: Iterable[str] = (),
    older_than_epoch: float | None = None,
    count_only: bool = False,
    sender_events_before: float | None = None,
) -> int:
    """Delete (or count) the events of these sender ids and/or older than a Unix time.

    `sender_events_before` limits the sender ids' events to those up to that Unix time. Raises
    `TrackerStoreError` when the store is not configured, missing, without its table, or failing."""
    if not tracker_url:
        raise TrackerStoreError("tracker store not configured (WEGWIJS_TRACKER_URL / WEGWIJS_ENGINE_TRACKER_DB)")
    try:
        engine = tracker_engine(tracker_url)
        if engine is None:
            raise TrackerStoreError("tracker database file does not exist")
        if not inspect(engine).has_table(TRACKER_TABLE):
            raise TrackerStoreError(f"tracker store has no {TRACKER_TABLE!r} table")
        ids = list(sender_ids)
        total = 0
        with engine.begin() as connection:
            conditions: list[ColumnElement[bool]] = []
            for start in range(0, len(ids), BATCH):
                condition: ColumnElement[bool] = EVENTS.c.sender_id.in_(ids[start : start + BATCH])
                if sender_events_before is not None:
                    condition = and_(condition, EVENTS.c.timestamp <= sender_events_before)
                conditions.append(condition)
            if older_than_epoch is not None:
                conditions.append(EVENTS.c.timestamp < older_than_epoch)
            if count_only and conditions:  # one query, so an event is not counted twice
                total = connection.execute(
                    select(func.count()).select_from(EVENTS).where(or_(*conditions))
                ).scalar_one()
            elif not count_only:
                for condition in conditions:  # deleted rows are not matched again
                    total += connection.execute(delete(EVENTS).where(condition)).rowcount or 0
        return total
    except TrackerStoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - a tracker store outage must not block the gateway erase
        raise TrackerStoreError(f"deleting tracker events failed: {type(exc).__name__}") from exc


def user_events_since(tracker_url: str, since_epoch: float) -> list[tuple[float, str | None, str | None]]:
    """(timestamp, intent name, event JSON) of every user message since a Unix time."""
    from sqlalchemy import create_engine

    engine = create_engine(tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(EVENTS.c.timestamp, EVENTS.c.intent_name, EVENTS.c.data).where(
                    EVENTS.c.type_name == "user", EVENTS.c.timestamp >= since_epoch
                )
            ).all()
    finally:
        engine.dispose()
    return [(row[0], row[1], row[2]) for row in rows]


def faq_topic(data: str | None) -> str | None:
    """The FAQ topic the response selector chose for a user event (`faq/<topic>`), if any."""
    if not data:
        return None
    try:
        parsed = json.loads(data)
        key = parsed["parse_data"]["response_selector"]["faq"]["response"]["intent_response_key"]
    except (ValueError, KeyError, TypeError):
        return None
    return key.split("/", 1)[1] if isinstance(key, str) and "/" in key else None
