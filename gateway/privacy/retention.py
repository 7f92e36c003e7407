"""Retention: delete what has not been used for `retention_days` (default 90).

- A conversation whose last activity is older than the cut-off is erased completely (messages,
  tickets with events and notes, reminders, and its Rasa tracker events). Last activity is the
  latest of: created, last user message, any message, any ticket change, any reminder created or
  sent, and the send time of a reminder that is still scheduled (a user who asked for a reminder
  keeps the data it needs until it has been sent), and likewise the next check-in of active
  check-ins and the last check-in sent or answered (gateway/checkins).
- In conversations that are still active: messages older than the cut-off (except the
  transcript of an open ticket), closed tickets last changed before the cut-off, and reminders
  that were sent, cancelled or failed before the cut-off are deleted; the answers of check-ins
  that were stopped are deleted once they are older than the cut-off (while check-ins run, their
  history is what the person and, with consent, the regievoerder need).
- In the Rasa tracker store: every event older than the cut-off. When the tracker store is not
  configured or fails, that is logged as an error and the report says `tracker_complete: false`
  (never skipped silently); queued erasures ("delete my data" whose tracker part failed) are
  retried in the same run.

Per municipality: a conversation's period is its municipality's `bewaartermijn_dagen`
(knowledge/municipalities/<id>.yaml) when set, else `retention_days`; each cut-off above is then
`now` minus the conversation's own period. Tracker events of no known conversation go after the
longest period.

`run_retention(session_factory, settings, now=..., dry_run=...)` returns the counts; with
`dry_run` nothing is deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, func, inspect, or_, select, true
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from gateway.core.config import Settings
from gateway.core.models import Conversation, Message, utcnow
from gateway.privacy import erase

log = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    cutoff: datetime
    dry_run: bool
    conversations: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    tracker_events: int | None = None
    tracker_error: str | None = None
    pending_erasures_done: int = 0
    pending_erasures_left: int = 0
    periods: dict[str, int] = field(default_factory=dict)  # municipality -> days, where it has its own

    @property
    def tracker_complete(self) -> bool:
        return self.tracker_events is not None

    def add(self, counts: dict[str, int]) -> None:
        for name, n in counts.items():
            self.rows[name] = self.rows.get(name, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "conversations": self.conversations,
            "rows": dict(sorted(self.rows.items())),
            "tracker_events": self.tracker_events,
            "tracker_complete": self.tracker_complete,
            "tracker_error": self.tracker_error,
            "pending_erasures_done": self.pending_erasures_done,
            "pending_erasures_left": self.pending_erasures_left,
            "periods": dict(sorted(self.periods.items())),
        }


def _tables(session: Session) -> set[str]:
    return set(inspect(session.connection()).get_table_names())


def _latest(target: dict[str, datetime], rows: Any) -> None:
    for conversation_id, moment in rows:
        if moment is None:
            continue
        if moment.tzinfo is None:  # SQLite aggregates come back as naive UTC (or strings)
            from datetime import timezone

            moment = moment.replace(tzinfo=timezone.utc)
        if conversation_id not in target or moment > target[conversation_id]:
            target[conversation_id] = moment


def _as_dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def last_activity(session: Session) -> dict[str, datetime]:
    """Last activity per conversation id (see the module doc)."""
    erase.load_models()
    tables = _tables(session)
    latest: dict[str, datetime] = {}
    c = Conversation.__table__.c
    for conversation_id, created, last_user in session.execute(select(c.id, c.created_at, c.last_user_message_at)):
        _latest(latest, [(conversation_id, _as_dt(created)), (conversation_id, _as_dt(last_user))])
    m = Message.__table__.c
    rows = session.execute(select(m.conversation_id, func.max(m.created_at)).group_by(m.conversation_id))
    _latest(latest, [(cid, _as_dt(at)) for cid, at in rows])
    if "inbox_tickets" in tables:
        from gateway.inbox.models import Ticket

        t = Ticket.__table__.c
        rows = session.execute(select(t.conversation_id, func.max(t.updated_at)).group_by(t.conversation_id))
        _latest(latest, [(cid, _as_dt(at)) for cid, at in rows])
    if "reminders" in tables:
        from gateway.reminders.models import Reminder

        r = Reminder.__table__.c
        for column in (r.created_at, r.sent_at):
            rows = session.execute(select(r.conversation_id, func.max(column)).group_by(r.conversation_id))
            _latest(latest, [(cid, _as_dt(at)) for cid, at in rows])
        rows = session.execute(
            select(r.conversation_id, func.max(r.send_at)).where(r.status == "scheduled").group_by(r.conversation_id)
        )
        _latest(latest, [(cid, _as_dt(at)) for cid, at in rows])
    if "checkin_plans" in tables:
        from gateway.checkins.models import Checkin, CheckinPlan

        p = CheckinPlan.__table__.c
        rows = session.execute(select(p.conversation_id, p.next_at).where(p.status == "active"))
        _latest(latest, [(cid, _as_dt(at)) for cid, at in rows])
        k = Checkin.__table__.c
        for column in (k.sent_at, k.answered_at):
            rows = session.execute(select(k.conversation_id, func.max(column)).group_by(k.conversation_id))
            _latest(latest, [(cid, _as_dt(at)) for cid, at in rows])
    return latest


def municipality_periods(settings: Settings) -> dict[str, int]:
    """Municipality id -> retention days, for the municipalities with their own `bewaartermijn_dagen`."""
    from gateway.core.tenancy import Tenancy

    tenancy = Tenancy.from_settings(settings)
    return {mid: int(m.bewaartermijn_dagen) for mid, m in tenancy.municipalities.items() if m.bewaartermijn_dagen}


def run_retention(
    session_factory: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    tracker_url: str | None = erase.UNSET,
    periods: dict[str, int] | None = None,
) -> RetentionReport:
    """`periods` (municipality -> days) defaults to the municipality files' `bewaartermijn_dagen`."""
    now = now or utcnow()
    own = municipality_periods(settings) if periods is None else dict(periods)
    report = RetentionReport(cutoff=now - timedelta(days=settings.retention_days), dry_run=dry_run, periods=own)
    conversations = cast(Table, Conversation.__table__)
    # every distinct period, each with the conversations it applies to (None: all of them)
    groups: dict[int, Any] = {}
    for days in sorted({settings.retention_days, *own.values()}):
        named = [mid for mid, d in own.items() if d == days]
        if not own:
            groups[days] = None
            continue
        members: ColumnElement[bool] | None = conversations.c.municipality.in_(named) if named else None
        if days == settings.retention_days:  # no municipality, or one without its own period
            rest = or_(conversations.c.municipality.is_(None), conversations.c.municipality.not_in(list(own)))
            members = rest if members is None else or_(members, rest)
        groups[days] = select(conversations.c.id).where(members if members is not None else true())
    with session_factory() as session:
        tables = _tables(session)
        period_of = {cid: own.get(m, settings.retention_days) if m else settings.retention_days
                     for cid, m in session.execute(select(conversations.c.id, conversations.c.municipality))}
        expired = sorted(
            cid for cid, at in last_activity(session).items()
            if at < now - timedelta(days=period_of.get(cid, settings.retention_days))
        )
        report.conversations = len(expired)
        report.add(erase.purge_conversations(session, expired, count_only=dry_run))
        for days, members in groups.items():
            _purge_old_rows(session, tables, now - timedelta(days=days), members, expired, dry_run, report)
        if dry_run:
            session.rollback()
        else:
            session.commit()

    url = erase._configured_tracker_url if tracker_url is erase.UNSET else tracker_url
    if url is None and tracker_url is erase.UNSET:
        url = settings.rasa_tracker_url
    longest = max(groups)
    try:
        # expired conversations entirely; every event older than the longest period; and the
        # events of the conversations with a shorter period older than their own cut-off
        report.tracker_events = erase.delete_tracker_events_or_raise(
            url, sender_ids=expired, older_than_epoch=(now - timedelta(days=longest)).timestamp(), count_only=dry_run
        )
        shorter = {days: [cid for cid, d in period_of.items() if d == days and cid not in expired]
                   for days in groups if days != longest}
        for days, senders in shorter.items():
            if senders:
                report.tracker_events += erase.delete_tracker_events_or_raise(
                    url, sender_ids=senders, sender_events_before=(now - timedelta(days=days)).timestamp(),
                    count_only=dry_run,
                )
    except erase.TrackerStoreError as exc:
        report.tracker_events = None
        report.tracker_error = str(exc)
        log.error("retention: Rasa tracker events NOT deleted (%s); conversations kept there", exc)
    if not dry_run:
        report.pending_erasures_done, report.pending_erasures_left = erase.retry_pending_erasures(
            session_factory, url
        )
    log.info(
        "retention %s cutoff=%s conversations=%d rows=%d tracker_events=%s",
        "dry-run" if dry_run else "done",
        report.cutoff.date().isoformat(),
        report.conversations,
        sum(report.rows.values()),
        report.tracker_events,
    )
    return report


def _purge_old_rows(
    session: Session, tables: set[str], cutoff: datetime, members: Any, expired: list[str], dry_run: bool,
    report: RetentionReport,
) -> None:
    """In the conversations of one period (`members`: a select of their ids, None for all):
    messages, closed tickets and finished reminders older than `cutoff`."""

    def alive(table: Any) -> Any:
        """In a dry run the expired conversations are still there: do not count them twice; and
        only the rows of this period's conversations."""
        condition = ~table.c.conversation_id.in_(expired) if dry_run and expired else true()
        return condition if members is None else and_(condition, table.c.conversation_id.in_(members))


    # Old messages of active conversations, except the transcript of an open ticket.
    messages = cast(Table, Message.__table__)
    keep_open_transcripts = None
    if "inbox_tickets" in tables:
        from gateway.inbox.models import OPEN_STATES, Ticket

        tickets = cast(Table, Ticket.__table__)
        keep_open_transcripts = (
            select(tickets.c.id)
            .where(
                tickets.c.conversation_id == messages.c.conversation_id,
                tickets.c.state.in_(OPEN_STATES),
                messages.c.id >= tickets.c.first_message_id,
            )
            .exists()
        )
    condition = and_(messages.c.created_at < cutoff, alive(messages))
    if keep_open_transcripts is not None:
        condition = and_(condition, ~keep_open_transcripts)
    report.add(erase.purge(session, messages, condition, count_only=dry_run))

    if "inbox_tickets" in tables:
        from gateway.inbox.models import Ticket

        tickets = cast(Table, Ticket.__table__)
        closed_old = and_(tickets.c.state == "closed", tickets.c.updated_at < cutoff, alive(tickets))
        report.add(erase.purge(session, tickets, closed_old, count_only=dry_run))

    if "reminders" in tables:
        from gateway.reminders.models import Reminder

        reminders = cast(Table, Reminder.__table__)
        done_old = and_(
            alive(reminders),
            reminders.c.status != "scheduled",
            or_(
                reminders.c.sent_at < cutoff,
                and_(reminders.c.sent_at.is_(None), reminders.c.created_at < cutoff),
            ),
        )
        report.add(erase.purge(session, reminders, done_old, count_only=dry_run))

    if "checkin_plans" in tables:
        from gateway.checkins.models import Checkin, CheckinPlan

        checkins = cast(Table, Checkin.__table__)
        plans = cast(Table, CheckinPlan.__table__)
        stopped = select(plans.c.id).where(plans.c.status != "active")
        old_answers = and_(
            alive(checkins),
            checkins.c.plan_id.in_(stopped),
            func.coalesce(checkins.c.answered_at, checkins.c.sent_at, checkins.c.due_at) < cutoff,
        )
        report.add(erase.purge(session, checkins, old_answers, count_only=dry_run))
