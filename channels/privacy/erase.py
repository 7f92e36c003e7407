"""Erase personal data: everything the gateway and Rasa keep about a conversation.

`delete_user_data(session, conversation_id)` removes the conversation and every row that hangs
off it, found through the foreign keys of the gateway's tables (messages, reminders, inbox
tickets with their events and notes, and any table a later feature adds with a foreign key to
`conversations` or to one of those tables), then the Rasa tracker's events for that sender id.
"""

from __future__ import annotations

from knowledge import languages
from knowledge.texts import Localized

import importlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, column, delete, func, inspect, or_, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from channels.core.config import Settings
from channels.core.conversation import PayloadContext
from channels.core.models import Base, Conversation, utcnow
from channels.core.privacy import hash_id
from channels.core.schemas import OutgoingMessage

log = logging.getLogger(__name__)

KIND = "delete_my_data"
DELETED_TEXT = Localized("gateway.data_deleted")
# Modules whose tables hang off conversations; imported lazily, skipped when not installed.
MODEL_MODULES = ("channels.reminders.models", "inbox.models")
TRACKER_TABLE = "events"  # Rasa's SQLTrackerStore: events(id, sender_id, type_name, timestamp, ...)
BATCH = 500


class _Unset:
    pass


UNSET: Any = _Unset()
_configured_tracker_url: str | None = None
_tracker_engines: dict[str, Engine] = {}


def configure(settings: Settings) -> None:
    """Remember the Rasa tracker store URL for `delete_user_data` callers that do not pass one."""
    global _configured_tracker_url
    _configured_tracker_url = settings.rasa_tracker_url


@dataclass
class ErasureReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    tracker_events: int | None = None  # None: tracker store not configured or not reachable

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def load_models() -> None:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            log.info("module %s not installed; its tables are not erased", name)


# -- gateway database -------------------------------------------------------------------
def owned_tables(session: Session, root: Table) -> list[Table]:
    """`root` and every existing table whose rows belong to a row of it (via foreign keys,
    or a `conversation_id` column when root is `conversations`), children first."""
    load_models()
    existing = set(inspect(session.connection()).get_table_names())
    owned = {root.name}
    changed = True
    while changed:
        changed = False
        for candidate in Base.metadata.sorted_tables:
            if candidate.name in owned or candidate.name not in existing:
                continue
            parents = {fk.column.table.name for fk in candidate.foreign_keys}
            direct = root.name == "conversations" and "conversation_id" in candidate.c
            if parents & owned or direct:
                owned.add(candidate.name)
                changed = True
    return [t for t in reversed(Base.metadata.sorted_tables) if t.name in owned]


def _condition(target: Table, root: Table, root_condition: ColumnElement[bool], seen: frozenset[str] = frozenset()) -> ColumnElement[bool] | None:
    """Rows of `target` that belong to the root rows selected by `root_condition`."""
    if target.name == root.name:
        return root_condition
    clauses: list[ColumnElement[bool]] = []
    for fk in target.foreign_keys:
        parent = fk.column.table
        if parent.name in seen or parent.name == target.name:
            continue
        parent_condition = _condition(parent, root, root_condition, seen | {target.name})
        if parent_condition is not None:
            clauses.append(fk.parent.in_(select(fk.column).where(parent_condition)))
    if root.name == "conversations" and "conversation_id" in target.c and not any(
        fk.parent.name == "conversation_id" for fk in target.foreign_keys
    ):
        clauses.append(target.c.conversation_id.in_(select(root.c.id).where(root_condition)))
    return or_(*clauses) if clauses else None


def purge(session: Session, root: Table, root_condition: ColumnElement[bool], *, count_only: bool = False) -> dict[str, int]:
    """Delete the root rows selected by `root_condition` and all rows that belong to them.

    Does not commit. With `count_only` nothing is deleted and the counts are what would be.
    """
    counts: dict[str, int] = {}
    for target in owned_tables(session, root):
        condition = _condition(target, root, root_condition)
        if condition is None:
            continue
        if count_only:
            n = session.execute(select(func.count()).select_from(target).where(condition)).scalar_one()
        else:
            n = session.execute(delete(target).where(condition)).rowcount or 0
        if n:
            counts[target.name] = counts.get(target.name, 0) + n
    return counts


def purge_conversations(session: Session, conversation_ids: Sequence[str], *, count_only: bool = False) -> dict[str, int]:
    root = Conversation.__table__
    totals: dict[str, int] = {}
    for start in range(0, len(conversation_ids), BATCH):
        batch = list(conversation_ids[start : start + BATCH])
        for name, n in purge(session, root, root.c.id.in_(batch), count_only=count_only).items():
            totals[name] = totals.get(name, 0) + n
    return totals


# -- Rasa tracker store -------------------------------------------------------------------
def _tracker_engine(url: str) -> Engine | None:
    if url in _tracker_engines:
        return _tracker_engines[url]
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or not Path(parsed.database).exists()):
        return None  # do not create an empty tracker database
    from channels.core.db import make_engine

    engine = make_engine(url)
    _tracker_engines[url] = engine
    return engine


def dispose_tracker_engines() -> None:
    for engine in _tracker_engines.values():
        engine.dispose()
    _tracker_engines.clear()


def _events() -> Any:
    return table(TRACKER_TABLE, column("sender_id"), column("timestamp"))


def delete_tracker_events(
    tracker_url: str | None,
    *,
    sender_ids: Iterable[str] = (),
    older_than_epoch: float | None = None,
    count_only: bool = False,
) -> int | None:
    """Delete Rasa tracker events of these sender ids (and/or older than a Unix time).

    Returns the number of events, or None when no tracker store is configured or reachable.
    """
    if not tracker_url:
        log.info("tracker store not configured (tracker_url); Rasa tracker events not touched")
        return None
    try:
        engine = _tracker_engine(tracker_url)
        if engine is None or not inspect(engine).has_table(TRACKER_TABLE):
            log.warning("tracker store has no %r table; Rasa tracker events not touched", TRACKER_TABLE)
            return None
        events = _events()
        ids = list(sender_ids)
        total = 0
        with engine.begin() as connection:
            conditions: list[ColumnElement[bool]] = []
            for start in range(0, len(ids), BATCH):
                conditions.append(events.c.sender_id.in_(ids[start : start + BATCH]))
            if older_than_epoch is not None:
                conditions.append(events.c.timestamp < older_than_epoch)
            if count_only and conditions:  # one query, so an event is not counted twice
                total = connection.execute(select(func.count()).select_from(events).where(or_(*conditions))).scalar_one()
            elif not count_only:
                for condition in conditions:  # deleted rows are not matched again
                    total += connection.execute(delete(events).where(condition)).rowcount or 0
        return total
    except Exception as exc:  # noqa: BLE001 - a tracker store outage must not block the gateway erase
        log.error("deleting tracker events failed: %s", type(exc).__name__)
        return None


# -- the public operation -----------------------------------------------------------------
def delete_user_data(
    session: Session, conversation_id: str, *, recreate: bool = False, tracker_url: str | None = UNSET
) -> ErasureReport:
    """Delete everything about one conversation, commit, then delete its Rasa tracker events.

    `recreate=True` leaves a fresh, empty conversation with the same id and channel user, so
    that a confirmation can be stored and sent and the user can go on chatting. `tracker_url`
    defaults to the one configured at start-up (`configure`); None skips the tracker.
    """
    conversation = session.get(Conversation, conversation_id)
    snapshot = (
        None
        if conversation is None
        else (conversation.channel, conversation.channel_user_id, conversation.language)
    )
    if conversation is not None:
        session.expunge(conversation)
    report = ErasureReport(rows=purge_conversations(session, [conversation_id]))
    if recreate and snapshot is not None:
        channel, channel_user_id, language = snapshot
        now = utcnow()
        session.add(
            Conversation(
                id=conversation_id,
                channel=channel,
                channel_user_id=channel_user_id,
                language=language,
                created_at=now,
                last_user_message_at=now,
            )
        )
    session.commit()
    url = _configured_tracker_url if tracker_url is UNSET else tracker_url
    report.tracker_events = delete_tracker_events(url, sender_ids=[conversation_id])
    log.info(
        "user data deleted conversation=%s rows=%d tracker_events=%s",
        hash_id(conversation_id),
        report.total_rows,
        report.tracker_events,
    )
    return report


async def handle_delete_payload(ctx: PayloadContext, data: dict[str, Any]) -> list[OutgoingMessage]:
    """Payload handler for `{"wegwijs": {"type": "delete_my_data", "lang": ...}}` (after the bot's confirmation)."""
    lang = data.get("lang") if data.get("lang") in languages.CODES else ctx.conversation.language
    with ctx.service.session_factory() as session:
        delete_user_data(session, ctx.conversation.id, recreate=True)
    # Stored in the fresh, empty conversation by the service.
    return [OutgoingMessage(text=DELETED_TEXT.get(lang, DELETED_TEXT["nl"]), sender="system")]
