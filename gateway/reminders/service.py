"""Reminders: planned from a deadline answer, stored, sent by the scheduler, stoppable.

Which reminders (all at `reminder_hour`, 09:00 Europe/Amsterdam by default):
- `termijn_end_6m`: 6 months before `termijn_end`;
- `verlenging_earliest`: on `verlenging_earliest` (the first day an extension can be asked);
- `duo_letter_2m`: 2 months before `termijn_end` (when DUO sends its letter);
- `mvv_collect_14d`: 14 days before `mvv_collect_by`, when that date is known.
Reminder days already past are skipped.

Sending (`send_due`) claims each due reminder with a conditional UPDATE (attempts + 1 and a
lease on `next_attempt_at`), so two runs, or two gateway processes, never send one twice. The
message is stored once (`message_id`) and only re-sent on a retry; after
`reminder_max_attempts` failures the reminder is `failed`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from gateway.core.conversation import ConversationService
from gateway.core.models import Message, utcnow
from gateway.core.schemas import OutgoingMessage
from gateway.reminders.models import Reminder
from gateway.reminders.texts import reminder_text
from redaction.logs import hash_id

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
LEASE = timedelta(minutes=10)  # a claimed reminder is not picked up again for this long
BATCH = 100


@dataclass(frozen=True)
class Rule:
    kind: str
    date_key: str
    months: int = 0
    days: int = 0


RULES = (
    Rule("termijn_end_6m", "termijn_end", months=-6),
    Rule("verlenging_earliest", "verlenging_earliest"),
    Rule("duo_letter_2m", "termijn_end", months=-2),
    Rule("mvv_collect_14d", "mvv_collect_by", days=-14),
)


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    due_date: date  # the date the reminder is about
    send_day: date
    send_at: datetime  # aware UTC


def add_months(day: date, months: int) -> date:
    from knowledge.deadlines.dates import add_months as engine_add_months

    return engine_add_months(day, months)


def deadline_dates(deadline_input: Mapping[str, Any]) -> dict[str, date]:
    """The dates of the deadline engine for this input (`knowledge.deadlines.compute`)."""
    from knowledge.deadlines import compute

    result = compute(dict(deadline_input))
    return {key: date.fromisoformat(str(value)) for key, value in (result.get("dates") or {}).items()}


def plan(dates: Mapping[str, date], *, now: datetime, tz: str = "Europe/Amsterdam", hour: int = 9) -> list[PlannedReminder]:
    """The reminders for these dates whose day is not in the past (a reminder for today that is
    past `hour` goes out at `now`)."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    planned: list[PlannedReminder] = []
    for rule in RULES:
        due = dates.get(rule.date_key)
        if due is None:
            continue
        send_day = add_months(due, rule.months) + timedelta(days=rule.days)
        if send_day < today:
            continue
        send_at = datetime.combine(send_day, time(hour), zone).astimezone(timezone.utc)
        planned.append(PlannedReminder(rule.kind, due, send_day, max(send_at, now.astimezone(timezone.utc))))
    return sorted(planned, key=lambda p: p.send_at)


class ReminderService:
    def __init__(self, conversations: ConversationService, *, clock: Clock = utcnow) -> None:
        self.conversations = conversations
        self.settings = conversations.settings
        self.clock = clock
        # Called with each reminder after it was sent (gateway.referents: a copy to her referent).
        # A failing hook is logged; the reminder stays sent.
        self.sent_hooks: list[Callable[[Reminder], Awaitable[None]]] = []

    @property
    def session_factory(self):  # noqa: ANN201
        return self.conversations.session_factory

    # -- planning ---------------------------------------------------------------------
    def deadline_input(self, conversation_id: str, message_id: int) -> dict[str, Any] | None:
        """The deadline input stored with a deadlines message of this conversation (None otherwise)."""
        with self.session_factory() as session:
            row = session.get(Message, message_id)
            if row is None or row.conversation_id != conversation_id:
                return None
            spec = ((row.payload or {}).get("data") or {}).get("wegwijs") or {}
            if spec.get("type") != "deadlines":
                return None
            return dict(spec.get("input") or {})

    def plan_for_input(self, deadline_input: Mapping[str, Any], now: datetime | None = None) -> list[PlannedReminder]:
        return plan(
            deadline_dates(deadline_input),
            now=now or self.clock(),
            tz=self.settings.timezone,
            hour=self.settings.reminder_hour,
        )

    def opt_in(
        self, conversation_id: str, deadlines_message_id: int, lang: str, now: datetime | None = None
    ) -> list[Reminder] | None:
        """Store the reminders for a deadline answer; None if that answer is not this conversation's.

        Idempotent: a reminder of the same kind and date that is still scheduled is not added again.
        """
        now = now or self.clock()
        deadline_input = self.deadline_input(conversation_id, deadlines_message_id)
        if deadline_input is None:
            return None
        planned = self.plan_for_input(deadline_input, now)
        created: list[Reminder] = []
        with self.session_factory() as session:
            existing = {
                (r.kind, r.due_date)
                for r in session.scalars(
                    select(Reminder).where(Reminder.conversation_id == conversation_id, Reminder.status == "scheduled")
                )
            }
            for item in planned:
                if (item.kind, item.due_date) in existing:
                    continue
                reminder = Reminder(
                    conversation_id=conversation_id,
                    kind=item.kind,
                    due_date=item.due_date,
                    send_at=item.send_at,
                    next_attempt_at=item.send_at,
                    text_key=item.kind,
                    lang=lang,
                    status="scheduled",
                    attempts=0,
                    created_at=now,
                )
                session.add(reminder)
                created.append(reminder)
            session.commit()
        log.info("reminders scheduled conversation=%s count=%d", hash_id(conversation_id), len(created))
        return created

    def scheduled(self, conversation_id: str) -> list[Reminder]:
        with self.session_factory() as session:
            statement = (
                select(Reminder)
                .where(Reminder.conversation_id == conversation_id, Reminder.status == "scheduled")
                .order_by(Reminder.send_at)
            )
            return list(session.scalars(statement))

    def stop(self, conversation_id: str) -> int:
        """Cancel every scheduled reminder of this conversation; returns how many."""
        with self.session_factory() as session:
            result = session.execute(
                update(Reminder)
                .where(Reminder.conversation_id == conversation_id, Reminder.status == "scheduled")
                .values(status="cancelled")
            )
            session.commit()
        count = result.rowcount or 0
        log.info("reminders cancelled conversation=%s count=%d", hash_id(conversation_id), count)
        return count

    # -- sending ----------------------------------------------------------------------
    def _due_ids(self, now: datetime) -> list[int]:
        with self.session_factory() as session:
            statement = (
                select(Reminder.id)
                .where(Reminder.status == "scheduled", Reminder.next_attempt_at <= now)
                .order_by(Reminder.next_attempt_at, Reminder.id)
                .limit(BATCH)
            )
            return list(session.scalars(statement))

    def _claim(self, reminder_id: int, now: datetime) -> Reminder | None:
        with self.session_factory() as session:
            result = session.execute(
                update(Reminder)
                .where(
                    Reminder.id == reminder_id,
                    Reminder.status == "scheduled",
                    Reminder.next_attempt_at <= now,
                )
                .values(attempts=Reminder.attempts + 1, next_attempt_at=now + LEASE)
            )
            session.commit()
            if result.rowcount != 1:
                return None
            return session.get(Reminder, reminder_id)

    async def send_due(self, now: datetime | None = None) -> int:
        """Send every reminder that is due at `now`; returns how many were sent."""
        now = now or self.clock()
        sent = 0
        for reminder_id in self._due_ids(now):
            reminder = self._claim(reminder_id, now)
            if reminder is None:  # taken by another run
                continue
            try:
                await self._send(reminder)
            except Exception as exc:  # noqa: BLE001 - any channel failure is retried with a bound
                self._failed(reminder, now, exc)
                continue
            with self.session_factory() as session:
                session.execute(
                    update(Reminder).where(Reminder.id == reminder.id).values(status="sent", sent_at=now)
                )
                session.commit()
            sent += 1
            for hook in self.sent_hooks:
                try:
                    await hook(reminder)
                except Exception as exc:  # noqa: BLE001 - a hook never undoes or repeats a sent reminder
                    log.warning("reminder hook failed id=%d error=%s", reminder.id, type(exc).__name__)
        if sent:
            log.info("reminders sent count=%d", sent)
        return sent

    async def _send(self, reminder: Reminder) -> None:
        message = OutgoingMessage(text=reminder_text(reminder.text_key, reminder.lang, reminder.due_date), sender="system")
        if reminder.message_id is None:
            message = self.conversations.store_outgoing(reminder.conversation_id, [message])[0]
            with self.session_factory() as session:
                session.execute(update(Reminder).where(Reminder.id == reminder.id).values(message_id=message.id))
                session.commit()
        else:  # a retry: the message is already in the transcript, only push it again
            message = message.model_copy(update={"id": reminder.message_id})
        await self.conversations.deliver(reminder.conversation_id, [message])

    def _failed(self, reminder: Reminder, now: datetime, exc: Exception) -> None:
        final = reminder.attempts >= self.settings.reminder_max_attempts
        values: dict[str, Any] = (
            {"status": "failed"}
            if final
            else {"next_attempt_at": now + min(timedelta(minutes=5) * 2 ** (reminder.attempts - 1), timedelta(hours=6))}
        )
        with self.session_factory() as session:
            session.execute(update(Reminder).where(Reminder.id == reminder.id).values(**values))
            session.commit()
        log.warning(
            "reminder send failed id=%d attempt=%d final=%s error=%s",
            reminder.id,
            reminder.attempts,
            final,
            type(exc).__name__,
        )
