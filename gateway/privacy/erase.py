"""Erase personal data: everything the gateway and Rasa keep about a conversation.

`delete_user_data(session, conversation_id)` removes the conversation and every row that hangs
off it, found through the foreign keys of the gateway's tables (messages, reminders, inbox
tickets with their events and notes, and any table a later feature adds with a foreign key to
`conversations` or to one of those tables), then the Rasa tracker's events for that sender id.

When the tracker events cannot be deleted (no tracker store configured, no `events` table, the
database unreachable or an error), the erase is not complete: the user is told so
(`gateway.data_deletion_incomplete`) and the sender id goes into `privacy_pending_erasures`,
which `retry_pending_erasures` (the scheduler, every few minutes, and the nightly retention job)
works through until the events are gone. Only events up to the request are deleted then, so a
conversation the user started again afterwards is kept.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Engine,
    Float,
    Integer,
    String,
    Table,
    delete,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from gateway.core import trackers
from gateway.core.config import Settings
from gateway.core.conversation import PayloadContext
from gateway.core.models import Base, Conversation, UTCDateTime, utcnow
from gateway.core.schemas import OutgoingMessage
from knowledge import languages
from knowledge.texts import Localized
from redaction.logs import hash_id

log = logging.getLogger(__name__)

KIND = "delete_my_data"
DELETED_TEXT = Localized("gateway.data_deleted")
INCOMPLETE_TEXT = Localized("gateway.data_deletion_incomplete")
PENDING_TABLE = "privacy_pending_erasures"
MAX_ERROR_CHARS = 80
BATCH = 500  # conversations per purge statement
# Modules whose tables hang off conversations; imported lazily, skipped when not installed.
MODEL_MODULES = (
    "gateway.reminders.models", "gateway.inbox.models", "gateway.checkins.models", "gateway.referents.models",
    "gateway.news.models",
)


class _Unset:
    pass


UNSET: Any = _Unset()
_configured_tracker_url: str | None = None


def configure(settings: Settings) -> None:
    """Remember the Rasa tracker store URL for `delete_user_data` callers that do not pass one."""
    global _configured_tracker_url
    _configured_tracker_url = settings.rasa_tracker_url


class PendingErasure(Base):
    """Tracker events still to be deleted for a user who asked (the tracker store failed then).

    Not linked to `conversations` (no foreign key, no `conversation_id` column), so erasing or
    retention never removes the reminder that something is still to be erased.
    """

    __tablename__ = PENDING_TABLE

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    before_epoch: Mapped[float] = mapped_column(Float)  # delete events up to this Unix time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR_CHARS), nullable=True)


_pending_ready: set[int] = set()


def ensure_pending_table(engine: Engine) -> None:
    """Create `privacy_pending_erasures` when missing (until it gets its own alembic revision)."""
    if id(engine) not in _pending_ready:
        Base.metadata.create_all(engine, tables=[cast(Table, PendingErasure.__table__)], checkfirst=True)
        _pending_ready.add(id(engine))


@dataclass
class ErasureReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    tracker_events: int | None = None  # None: tracker store not configured or not reachable
    queued: bool = False  # the tracker part failed and waits in privacy_pending_erasures

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def complete(self) -> bool:
        return self.tracker_events is not None


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
            n = cast(CursorResult[Any], session.execute(delete(target).where(condition))).rowcount or 0
        if n:
            counts[target.name] = counts.get(target.name, 0) + n
    return counts


def purge_conversations(session: Session, conversation_ids: Sequence[str], *, count_only: bool = False) -> dict[str, int]:
    root = cast(Table, Conversation.__table__)
    totals: dict[str, int] = {}
    for start in range(0, len(conversation_ids), BATCH):
        batch = list(conversation_ids[start : start + BATCH])
        for name, n in purge(session, root, root.c.id.in_(batch), count_only=count_only).items():
            totals[name] = totals.get(name, 0) + n
    return totals


# -- Rasa tracker store (its schema: gateway.core.trackers) -------------------------------
TrackerStoreError = trackers.TrackerStoreError
dispose_tracker_engines = trackers.dispose_engines


def delete_tracker_events(
    tracker_url: str | None,
    *,
    sender_ids: Iterable[str] = (),
    older_than_epoch: float | None = None,
    count_only: bool = False,
    sender_events_before: float | None = None,
) -> int | None:
    """Delete Rasa tracker events of these sender ids (and/or older than a Unix time).

    `sender_events_before` limits the sender ids' events to those up to that Unix time.
    Returns the number of events, or None when no tracker store is configured or reachable
    (logged as an error: the caller must not treat that as done).
    """
    try:
        return delete_tracker_events_or_raise(
            tracker_url, sender_ids=sender_ids, older_than_epoch=older_than_epoch, count_only=count_only,
            sender_events_before=sender_events_before,
        )
    except TrackerStoreError as exc:
        log.error("Rasa tracker events NOT deleted: %s", exc)
        return None


def delete_tracker_events_or_raise(
    tracker_url: str | None,
    *,
    sender_ids: Iterable[str] = (),
    older_than_epoch: float | None = None,
    count_only: bool = False,
    sender_events_before: float | None = None,
) -> int:
    """`delete_tracker_events`, raising `TrackerStoreError` instead of returning None."""
    return trackers.delete_events(
        tracker_url, sender_ids=sender_ids, older_than_epoch=older_than_epoch, count_only=count_only,
        sender_events_before=sender_events_before,
    )


# -- erasures still to finish ---------------------------------------------------------------
def queue_pending_erasure(session: Session, sender_id: str, before_epoch: float, error: str) -> None:
    """Remember that this sender's tracker events (up to `before_epoch`) still have to go."""
    ensure_pending_table(session.get_bind())  # type: ignore[arg-type]
    session.add(PendingErasure(sender_id=sender_id, before_epoch=before_epoch, attempts=1,
                               last_attempt_at=utcnow(), last_error=error[:MAX_ERROR_CHARS]))
    session.commit()


def retry_pending_erasures(session_factory: sessionmaker[Session], tracker_url: str | None = UNSET) -> tuple[int, int]:
    """Try every queued tracker erasure once; returns (done, still pending). Done rows are removed."""
    url = _configured_tracker_url if tracker_url is UNSET else tracker_url
    done = left = 0
    with session_factory() as session:
        ensure_pending_table(session.get_bind())  # type: ignore[arg-type]
        for pending in list(session.scalars(select(PendingErasure).order_by(PendingErasure.id))):
            try:
                delete_tracker_events_or_raise(url, sender_ids=[pending.sender_id],
                                               sender_events_before=pending.before_epoch)
            except TrackerStoreError as exc:
                pending.attempts += 1
                pending.last_attempt_at = utcnow()
                pending.last_error = str(exc)[:MAX_ERROR_CHARS]
                left += 1
            else:
                session.delete(pending)
                done += 1
        session.commit()
    if done or left:
        log.log(logging.ERROR if left else logging.INFO, "pending tracker erasures: %d done, %d still pending", done, left)
    return done, left


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
    requested_at = time.time()
    try:
        report.tracker_events = delete_tracker_events_or_raise(url, sender_ids=[conversation_id])
    except TrackerStoreError as exc:
        queue_pending_erasure(session, conversation_id, requested_at, str(exc))
        report.queued = True
        log.error("user data deleted EXCEPT the tracker events (queued for retry) conversation=%s rows=%d: %s",
                  hash_id(conversation_id), report.total_rows, exc)
        return report
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
        report = delete_user_data(session, ctx.conversation.id, recreate=True)
    # Stored in the fresh, empty conversation by the service. Never "deleted" while a part is kept.
    done = DELETED_TEXT if report.complete else INCOMPLETE_TEXT
    return [OutgoingMessage(text=done.get(lang, done["nl"]), sender="system")]
