"""Tracker and lock stores for running several engines on the same conversations.

``AtomicRedisLockStore``
    Rasa 3.6's ``RedisLockStore`` changes a conversation's ticket lock with a plain GET + SET.
    When two engines take a ticket for the same conversation at the same moment, one write
    overwrites the other: both hold "the" lock, process the conversation at the same time, and a
    turn is lost (tests/scale/test_two_engines.py showed this). Here every change of a lock is an
    optimistic Redis transaction (WATCH / MULTI / EXEC, retried on conflict).

``ResilientSQLTrackerStore``
    Rasa's ``SQLTrackerStore`` with ``pool_pre_ping``: after a database restart the first turn
    gets a fresh connection instead of failing on a dead one (and losing that turn's context).
    Four measured savings (bench/RESULTS.md, profile: the tracker store was ~28 % of the
    engine's CPU per FAQ turn):
    - ``save`` knows how many events of the tracker are already stored when the tracker came
      from ``retrieve`` in this process (every turn: Rasa retrieves, then saves the same object,
      under the conversation's lock), so it skips Rasa's count query before every insert;
      trackers of unknown origin still use Rasa's count.
    - new events are written with one multi-row INSERT, ``retrieve`` reads only the ``data``
      column.
    - the tracker saved last for each of the ``cache_size`` (256) most recent conversations stays
      in memory; the next turn gets it back after one small query shows the database still
      holds exactly those events (same count, same last id), instead of reading, decoding and
      replaying every event. Another engine's turn, "verwijder mijn gegevens" or retention
      changes that answer, and the tracker is read from the database as before.
    - SQLite (the single-machine default) runs in WAL mode with ``synchronous=NORMAL``: a commit
      no longer waits for the disk, which survives a crash of the process (not a power cut of
      the machine: use PostgreSQL for that, as docs/deployment.md says).

Select them in bot/endpoints.yml through WEGWIJS_ENGINE_LOCK_STORE and
WEGWIJS_ENGINE_TRACKER_STORE (see .env.example).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Text

import sqlalchemy as sa
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig

from addons import patches

logger = logging.getLogger(__name__)

MAX_TRANSACTION_ATTEMPTS = 50
DEFAULT_CACHE_SIZE = 256  # trackers kept in memory by ResilientSQLTrackerStore
# A relative SQLite tracker file (WEGWIJS_ENGINE_TRACKER_DB=var/trackers.db) is taken from the
# repository root, as the gateway does (gateway/core/config.py), not from the engine's working
# directory bot/: both processes then use the same file.
REPO_ROOT = Path(__file__).resolve().parents[2]


def absolute_sqlite_db(dialect: Any, db: Any) -> Any:
    """`db` made absolute against the repository root when the dialect is SQLite."""
    if str(dialect or "sqlite").lower() != "sqlite" or not db or db == ":memory:":
        return db
    path = Path(str(db)).expanduser()
    return str(path if path.is_absolute() else REPO_ROOT / path)


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, "host": endpoint_config.url or "localhost", **kwargs}
            kwargs = {k: v for k, v in kwargs.items() if v not in ("", None)}
        super().__init__(**kwargs)

    def _transact(self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Any]) -> Any:
        """Apply ``change`` to the stored lock atomically; ``change`` returns (lock or None, result).

        A returned lock is saved; None deletes the key.
        """
        import redis

        key = self.key_prefix + conversation_id
        for _ in range(MAX_TRANSACTION_ATTEMPTS):
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    current = TicketLock.from_dict(json.loads(raw)) if raw else None
                    lock, result = change(current)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
        raise LockError(f"Could not change the lock for a conversation after {MAX_TRANSACTION_ATTEMPTS} attempts")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: Optional[TicketLock]) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._transact(conversation_id, change)
        except LockError:
            raise
        except Exception as e:  # the same contract as Rasa's LockStore.issue_ticket
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: Text) -> None:
        def change(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._transact(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Finish serving the ticket; delete the lock when nobody else is waiting."""

        def change(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._transact(conversation_id, change)


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_size: Any = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        # engine start-up: `rasa run` creates this store (bot/endpoints.yml) before it loads the model
        patches.apply()
        kwargs = {k: v for k, v in kwargs.items() if v != ""}  # unset ${VAR}s in endpoints.yml
        if "db" in kwargs:
            kwargs["db"] = absolute_sqlite_db(kwargs.get("dialect", "sqlite"), kwargs["db"])
        super().__init__(*args, **kwargs)
        self.cache_size = int(cache_size) if cache_size not in ("", None) else DEFAULT_CACHE_SIZE
        self._recent: OrderedDict[Text, tuple] = OrderedDict()
        events = self.SQLEvent.__table__
        self._stamp_query = (  # a plain statement: compiled once, no ORM work per turn
            sa.select(sa.func.count(events.c.id), sa.func.max(events.c.id)).where(events.c.sender_id == sa.bindparam("sender_id"))
        )
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens and closes a file connection per session (NullPool), and the
            # last close of a WAL database checkpoints it to disk: keep connections open instead
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=8,
                                           connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _sqlite_wal)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        else:
            self.engine.pool._pre_ping = True  # reconnect after a database restart

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            if not fetch_events_from_all_sessions:
                cached = self._cached(session, sender_id)
                if cached is not None:
                    return cached
            rows = (
                self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
                .with_entities(self.SQLEvent.data)
                .all()
            )
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for (data,) in rows], self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED_EVENTS, len(tracker.events))
        return tracker

    # -- the last saved trackers, kept in memory -------------------------------------------------
    def _stamp(self, session: Any, sender_id: Text) -> tuple:
        """What the database holds for a conversation: (number of events, id of the last one)."""
        count, last = session.execute(self._stamp_query, {"sender_id": sender_id}).one()
        return int(count), last

    def _cached(self, session: Any, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker this process saved last, if the database still holds exactly that.

        Taken out of the cache: the caller owns it now (it goes back in when it is saved), so
        a turn that fails half-way never leaves unsaved events behind for the next one.
        """
        entry = self._recent.pop(sender_id, None)
        if entry is None:
            return None
        stamp, length, tracker = entry
        if len(tracker.events) != length or self._stamp(session, sender_id) != stamp:
            return None  # changed since: another engine, "verwijder mijn gegevens", retention
        return tracker

    def _remember(self, session: Any, tracker: DialogueStateTracker) -> None:
        if self.cache_size <= 0:
            return
        if any(isinstance(e, SessionStarted) for e in itertools.islice(tracker.events, 1, None)):
            return  # a session began inside this tracker: from the database, only that session comes back
        self._recent[tracker.sender_id] = (self._stamp(session, tracker.sender_id), len(tracker.events), tracker)
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > self.cache_size:
            self._recent.popitem(last=False)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, STORED_EVENTS, None)
        if stored is None or stored > len(tracker.events):
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = []
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
                session.commit()
            self._remember(session, tracker)
        setattr(tracker, STORED_EVENTS, len(tracker.events))


STORED_EVENTS = "_wegwijs_stored_events"


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
