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

Select them in bot/endpoints.yml through WEGWIJS_ENGINE_LOCK_STORE and
WEGWIJS_ENGINE_TRACKER_STORE (see .env.example).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

MAX_TRANSACTION_ATTEMPTS = 50


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
            raise LockError(f"Error while acquiring lock. Error:\n{e}")

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
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs = {k: v for k, v in kwargs.items() if v != ""}  # unset ${VAR}s in endpoints.yml
        super().__init__(*args, **kwargs)
        self.engine.pool._pre_ping = True  # reconnect after a database restart
