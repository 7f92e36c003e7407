"""Check-ins: the plan a person opted in to, the scheduled questions, the recomputation.

Flow:
1. After a deadline answer the person opts in (`opt_in`): one `checkin_plans` row per
   conversation with the deadline input and `next_at` = `interval_weeks` later at
   `reminder_hour` local time (the municipality's `checkin_interval_weeks`, else the setting).
2. `send_due` (the scheduler, every `reminder_interval_s` and once at start-up, so a check-in
   that fell due while the gateway was down goes out after a restart) claims each due plan with
   a conditional UPDATE (attempts + 1 and a lease on `next_attempt_at`): two runs or two gateway
   processes never send one twice. It opens a `checkins` row, stores the first question once
   and pushes it with `ConversationService.deliver` (WhatsApp outside 24 hours: the channel
   sends the approved notice template and keeps the question until the person writes back).
   A failed push is retried with a back-off; after `reminder_max_attempts` that round is missed.
3. The three answers arrive as gateway commands (buttons) or typed numbers (`answer`); after the
   third, the dates and pace are recomputed with the reported hours and exams (`project`), and
   the person reads what changed. Legal dates (the termijn) never move with the pace.
4. After the first check-in the separate consent for the regievoerder is asked once; without it
   (or after it was revoked) nothing of the check-ins is shown in the inbox.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from gateway.checkins import texts
from gateway.checkins.models import Checkin, CheckinPlan
from gateway.core.conversation import ConversationService
from gateway.core.models import Conversation, Message, utcnow
from gateway.core.schemas import Button, OutgoingMessage
from knowledge import chatwords
from redaction.logs import hash_id

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
TimelineRenderer = Callable[[Mapping[str, Any], str, date], bytes]
LEASE = timedelta(minutes=10)
BATCH = 100
COMMAND = "/wegwijs_checkins"
MAX_HOURS_PER_WEEK = 40  # the deadline engine's bound for hours_per_week
SAME_WITHIN_DAYS = 14  # a projected date that moved less than this is "about the same"
EXEMPT = "route"  # an afschalen check with this reason: the 600 hours do not apply to the route


def command(**values: Any) -> str:
    import json

    return COMMAND + json.dumps(values, separators=(",", ":"))


# -- the projection (pure) --------------------------------------------------------------------
def project(
    deadline_input: Mapping[str, Any], hours_total: float, exams_total: int, per_week: float | None, today: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(result, input) of the deadline engine for the person's input with the reported totals."""
    from knowledge.deadlines import compute

    data = {k: v for k, v in deadline_input.items() if k not in ("today", "lang", "hours_per_week")}
    data["hours_bow"] = round(float(hours_total), 1)
    data["exams_passed"] = max(0, min(5, int(exams_total)))
    if per_week is not None and per_week > 0:
        data["hours_per_week"] = round(min(float(per_week), MAX_HOURS_PER_WEEK), 1)
    elif per_week is None and deadline_input.get("hours_per_week"):
        data["hours_per_week"] = deadline_input["hours_per_week"]
    data["today"] = today.isoformat()
    return compute(data), data


def snapshot(
    result: Mapping[str, Any], data: Mapping[str, Any], today: date, reported_per_week: float | None = None
) -> dict[str, Any]:
    """What a check-in keeps of a projection: the dates, the pace, the totals and the risk.

    Late (at risk): the term has passed, the projected 600-hours date is after the term's end, or
    the person reported no lessons at all (`reported_per_week` 0) with fewer than 600 hours; the
    600 hours only count on routes where afschalen applies."""
    dates = result.get("dates") or {}
    checks = result.get("checks") or {}
    end = dates.get("termijn_end")
    reached = dates.get("hours_600_reached")
    status = checks.get("termijn_status") or {}
    exempt = (checks.get("afschalen") or {}).get("reason") == EXEMPT
    hours = float(data.get("hours_bow") or 0)
    per_week = data.get("hours_per_week")
    days_left = (date.fromisoformat(end) - today).days if end else None
    late = bool(
        status.get("state") == "passed"
        or (not exempt and end and reached and reached > end)
        or (not exempt and hours < 600 and reported_per_week == 0 and days_left is not None and days_left >= 0)
    )
    return {
        "today": today.isoformat(),
        "termijn_end": end,
        "hours_450_reached": dates.get("hours_450_reached"),
        "hours_600_reached": reached,
        "hours_per_week": per_week,
        "hours_total": hours,
        "exams_total": int(data.get("exams_passed") or 0),
        "days_left": days_left,
        "exempt": exempt,
        "late": late,
    }


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What changed between two snapshots, as codes with their parameters (texts: `change_*`)."""
    if not before:
        return []
    out: list[dict[str, Any]] = []
    old, new = before.get("hours_600_reached"), after.get("hours_600_reached")
    if old and new:
        moved = (date.fromisoformat(new) - date.fromisoformat(old)).days
        if abs(moved) < SAME_WITHIN_DAYS:
            out.append({"code": "600_same"})
        else:
            out.append({"code": "600_earlier" if moved < 0 else "600_later", "from": old, "to": new})
    if after.get("late") and not before.get("late"):
        out.append({"code": "now_late"})
    elif before.get("late") and not after.get("late"):
        out.append({"code": "now_on_time"})
    return out


def typed_number(text: str, lang: str | None = None) -> int | None:
    """A number typed as an answer: '30', '30 uur', 'ongeveer 40', '٣٠', 'twee'; None otherwise."""
    hours = chatwords.hours_in(text, lang)
    if hours is not None:
        return hours
    folded = chatwords.fold(text or "").strip()
    words = folded.split()
    if not words or len(words) > 4:
        return None
    numbers = re.findall(r"\d+", folded)
    if len(numbers) == 1 and len(numbers[0]) <= 4:
        return int(numbers[0])
    if not numbers and len(words) == 1:
        return chatwords.number_word(words[0].strip(".!?"), lang)
    return None


# -- the service ------------------------------------------------------------------------------
class CheckinService:
    def __init__(
        self, conversations: ConversationService, *, clock: Clock = utcnow, timeline: TimelineRenderer | None = None
    ) -> None:
        self.conversations = conversations
        self.settings = conversations.settings
        self.clock = clock
        self.timeline = timeline  # the timeline PNG renderer (gateway.media), given by channels.app

    @property
    def session_factory(self):  # noqa: ANN201
        return self.conversations.session_factory

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def today(self, now: datetime | None = None) -> date:
        return (now or self.clock()).astimezone(self.zone).date()

    def send_time(self, day: date, now: datetime) -> datetime:
        moment = datetime.combine(day, time(self.settings.reminder_hour), self.zone).astimezone(timezone.utc)
        return max(moment, now)

    def interval_weeks(self, conversation_id: str) -> int:
        """The conversation's municipality's `checkin_interval_weeks`, else the setting."""
        from knowledge.loader import load_municipality

        with self.session_factory() as session:
            conversation = session.get(Conversation, conversation_id)
            municipality = getattr(conversation, "municipality", None) or self.settings.municipality
        try:
            weeks = load_municipality(municipality).checkin_interval_weeks
        except Exception:  # noqa: BLE001 - an unknown municipality uses the setting
            weeks = None
        return int(weeks or self.settings.checkin_interval_weeks)

    # -- offer and opt-in ---------------------------------------------------------------
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

    def plan_of(self, conversation_id: str) -> CheckinPlan | None:
        with self.session_factory() as session:
            return session.scalars(select(CheckinPlan).where(CheckinPlan.conversation_id == conversation_id)).first()

    def worth_offering(self, conversation_id: str, deadline_input: Mapping[str, Any], now: datetime | None = None) -> bool:
        """Offer check-ins when the termijn has not ended and no check-ins are running yet."""
        plan = self.plan_of(conversation_id)
        if plan is not None and plan.status == "active":
            return False
        today = self.today(now)
        result, _ = project(deadline_input, float(deadline_input.get("hours_bow") or 0),
                            int(deadline_input.get("exams_passed") or 0), None, today)
        end = (result.get("dates") or {}).get("termijn_end")
        return isinstance(end, str) and date.fromisoformat(end) >= today

    def opt_in(
        self, conversation_id: str, deadlines_message_id: int, lang: str, now: datetime | None = None
    ) -> CheckinPlan | None:
        """Start (or restart) the check-ins from a deadline answer; None if it is not this conversation's."""
        now = now or self.clock()
        deadline_input = self.deadline_input(conversation_id, deadlines_message_id)
        if deadline_input is None:
            return None
        weeks = self.interval_weeks(conversation_id)
        base = {k: v for k, v in deadline_input.items() if k not in ("today", "lang")}
        hours, exams = float(base.get("hours_bow") or 0), int(base.get("exams_passed") or 0)
        today = self.today(now)
        result, data = project(base, hours, exams, None, today)
        baseline = snapshot(result, data, today)
        next_at = self.send_time(today + timedelta(weeks=weeks), now)
        with self.session_factory() as session:
            plan = session.scalars(select(CheckinPlan).where(CheckinPlan.conversation_id == conversation_id)).first()
            if plan is not None and plan.status == "active":
                return plan  # pressed twice: nothing new
            if plan is None:
                plan = CheckinPlan(conversation_id=conversation_id)
                session.add(plan)
            plan.status, plan.lang, plan.interval_weeks = "active", lang, weeks
            plan.deadline_input, plan.hours_total, plan.exams_total = base, hours, exams
            plan.baseline, plan.started_at, plan.last_checkin_at = baseline, now, None
            plan.next_at = plan.next_attempt_at = next_at
            plan.attempts, plan.stopped_at = 0, None
            session.commit()
        log.info("check-ins started conversation=%s weeks=%d", hash_id(conversation_id), weeks)
        return plan

    def stop(self, conversation_id: str, now: datetime | None = None) -> bool:
        """End the check-ins of this conversation (open questions are cancelled); False if none ran."""
        now = now or self.clock()
        with self.session_factory() as session:
            result = session.execute(
                update(CheckinPlan)
                .where(CheckinPlan.conversation_id == conversation_id, CheckinPlan.status == "active")
                .values(status="stopped", stopped_at=now)
            )
            session.execute(
                update(Checkin)
                .where(Checkin.conversation_id == conversation_id, Checkin.status.in_(("sending", "open")))
                .values(status="cancelled")
            )
            session.commit()
        stopped = bool(result.rowcount)
        log.info("check-ins stopped conversation=%s stopped=%s", hash_id(conversation_id), stopped)
        return stopped

    # -- consent for the regievoerder ---------------------------------------------------
    def set_consent(self, conversation_id: str, given: bool, now: datetime | None = None) -> str:
        """'given', 'declined', 'revoked', 'none' (nothing to revoke) or 'no_plan'."""
        now = now or self.clock()
        with self.session_factory() as session:
            plan = session.scalars(select(CheckinPlan).where(CheckinPlan.conversation_id == conversation_id)).first()
            if plan is None:
                return "no_plan"
            plan.consent_asked_at = plan.consent_asked_at or now
            if given:
                plan.consent_at, plan.consent_revoked_at = now, None
                outcome = "given"
            elif plan.consent_at is not None:
                plan.consent_at, plan.consent_revoked_at = None, now
                outcome = "revoked"
            else:
                outcome = "declined" if plan.consent_revoked_at is None else "none"
            session.commit()
        log.info("check-in consent conversation=%s %s", hash_id(conversation_id), outcome)
        return outcome

    # -- the questions ------------------------------------------------------------------
    def since_label(self, plan: CheckinPlan, lang: str) -> str:
        since = plan.last_checkin_at or plan.started_at
        return texts.format_day(since.astimezone(self.zone).date(), lang)

    def question(self, checkin: Checkin, plan: CheckinPlan, step: str, lang: str) -> OutgoingMessage:
        since = self.since_label(plan, lang)
        if step == "hours":
            text = texts.t("intro", lang) + "\n\n" + texts.t("ask_hours", lang, since=since)
            buttons = [Button(title=texts.t(key, lang), payload=command(c=checkin.id, q="hours", v=value))
                       for value, (key, _) in texts.HOURS_CHOICES.items()]
            buttons.append(Button(title=texts.STOP_BUTTON[lang], payload=command(stop=True)))
        elif step == "exams":
            text = texts.t("ask_exams", lang, since=since)
            buttons = [Button(title=texts.t(key, lang), payload=command(c=checkin.id, q="exams", v=value))
                       for value, (key, _) in texts.EXAMS_CHOICES.items()]
        else:
            text = texts.t("ask_obstacle", lang)
            buttons = [Button(title=texts.t(key, lang), payload=command(c=checkin.id, q="obstacle", v=value))
                       for value, key in texts.OBSTACLE_KEYS.items()]
        return OutgoingMessage(text=text, buttons=buttons, sender="system")

    def _store_question(self, checkin_id: int, message: OutgoingMessage, conversation_id: str) -> OutgoingMessage:
        stored = self.conversations.store_outgoing(conversation_id, [message])[0]
        with self.session_factory() as session:
            session.execute(update(Checkin).where(Checkin.id == checkin_id).values(question_message_id=stored.id))
            session.commit()
        return stored

    def open_checkin(self, conversation_id: str) -> Checkin | None:
        with self.session_factory() as session:
            return session.scalars(
                select(Checkin).where(Checkin.conversation_id == conversation_id, Checkin.status == "open")
                .order_by(Checkin.id.desc())
            ).first()

    def awaits_typed_answer(self, conversation_id: str) -> Checkin | None:
        """The open check-in whose question (hours or exams) is the conversation's last outgoing message."""
        checkin = self.open_checkin(conversation_id)
        if checkin is None or checkin.step not in ("hours", "exams") or checkin.question_message_id is None:
            return None
        with self.session_factory() as session:
            last = session.scalar(
                select(func.max(Message.id)).where(Message.conversation_id == conversation_id, Message.direction == "out")
            )
        return checkin if last == checkin.question_message_id else None

    def answer(
        self, conversation_id: str, checkin_id: int, step: str, value: Any, lang: str, now: datetime | None = None
    ) -> list[OutgoingMessage]:
        """One answer to the open check-in: the next question, or the recomputation."""
        now = now or self.clock()
        with self.session_factory() as session:
            checkin = session.get(Checkin, checkin_id)
            plan = session.get(CheckinPlan, checkin.plan_id) if checkin is not None else None
            if checkin is None or plan is None or checkin.conversation_id != conversation_id:
                return [self._say("not_found", lang)]
            if plan.status != "active":
                return [self._say("nothing_to_stop", lang)]
            if checkin.status != "open":
                next_day = plan.next_at.astimezone(self.zone).date()
                return [self._say("closed", lang, date=texts.format_day(next_day, lang))]
            if step != checkin.step:
                return [self._say("already_answered", lang)]
            if step == "hours":
                hours = self._hours(value, plan)
                if hours is None:
                    return [self._say("hours_again", lang)]
                checkin.hours, checkin.hours_choice = hours
                checkin.step = "exams"
            elif step == "exams":
                exams = self._exams(value)
                if exams is None:
                    return [self._say("exams_again", lang)]
                checkin.exams, checkin.step = exams, "obstacle"
            elif step == "obstacle" and value in texts.OBSTACLE_KEYS:
                checkin.obstacle = str(value)
                session.commit()
                return self._finish(checkin.id, lang, now)
            else:
                return [self._say("not_found", lang)]
            session.commit()
            next_question = self.question(checkin, plan, checkin.step, lang)
        return [self._store_question(checkin_id, next_question, conversation_id)]

    def _hours(self, value: Any, plan: CheckinPlan) -> tuple[float, str] | None:
        if isinstance(value, str) and value in texts.HOURS_CHOICES:
            return texts.HOURS_CHOICES[value][1], value
        if isinstance(value, int) and not isinstance(value, bool):
            most = max(plan.interval_weeks, 1) * 2 * MAX_HOURS_PER_WEEK  # a late answer may cover two rounds
            return (float(value), "typed") if 0 <= value <= most else None
        return None

    @staticmethod
    def _exams(value: Any) -> int | None:
        if isinstance(value, str) and value in texts.EXAMS_CHOICES:
            return texts.EXAMS_CHOICES[value][1]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 5:
            return value
        return None

    def _finish(self, checkin_id: int, lang: str, now: datetime) -> list[OutgoingMessage]:
        today = self.today(now)
        with self.session_factory() as session:
            checkin = session.get(Checkin, checkin_id)
            assert checkin is not None
            plan = session.get(CheckinPlan, checkin.plan_id)
            assert plan is not None
            since = plan.last_checkin_at or plan.started_at
            weeks = max((now - since).total_seconds() / (7 * 86400), 1.0)
            per_week = (checkin.hours or 0) / weeks
            hours_total = plan.hours_total + (checkin.hours or 0)
            exams_total = min(5, plan.exams_total + (checkin.exams or 0))
            result, data = project(plan.deadline_input, hours_total, exams_total, per_week, today)
            previous = session.scalars(
                select(Checkin).where(Checkin.plan_id == plan.id, Checkin.status == "done").order_by(Checkin.id.desc())
            ).first()
            before = previous.result if previous is not None and previous.result else plan.baseline
            after = snapshot(result, data, today, per_week)
            after["per_week_since_last"] = round(per_week, 1)
            after["obstacle"] = checkin.obstacle
            after["changes"] = changes(before, after)
            checkin.result, checkin.status, checkin.step, checkin.answered_at = after, "done", "done", now
            plan.hours_total, plan.exams_total, plan.last_checkin_at = hours_total, exams_total, now
            ask_consent = plan.consent_asked_at is None
            if ask_consent:
                plan.consent_asked_at = now
            next_day = plan.next_at.astimezone(self.zone).date()
            session.commit()
        summary = OutgoingMessage(text=self.summary_text(after, result, data, next_day, lang), sender="system")
        messages = [summary]
        if ask_consent:
            messages.append(OutgoingMessage(
                text=texts.t("consent_ask", lang),
                buttons=[Button(title=texts.t("consent_yes", lang), payload=command(share=True)),
                         Button(title=texts.t("consent_no", lang), payload=command(share=False))],
                sender="system",
            ))
        log.info("check-in answered conversation=%s late=%s", hash_id(checkin.conversation_id), after["late"])
        return messages

    def summary_text(
        self, after: Mapping[str, Any], result: Mapping[str, Any], data: Mapping[str, Any], next_day: date, lang: str
    ) -> str:
        """What the person reads after a check-in: totals, pace, what changed, the legal end."""
        from knowledge.deadlines import pace

        hours_total = float(after.get("hours_total") or 0)
        lines = [texts.t("thanks", lang),
                 texts.t("summary", lang, hours=pace.number(round(hours_total), lang), exams=after.get("exams_total", 0))]
        per_week = after.get("per_week_since_last") or 0
        if per_week > 0:
            lines.append(texts.t("pace_week", lang, per_week=pace.number(round(per_week, 1), lang)))
        lines.extend(pace.sentences(result, data, lang))
        for change in after.get("changes") or []:
            code = change["code"]
            if code in ("600_earlier", "600_later"):
                gap = pace.gap_words(date.fromisoformat(change["from"]), date.fromisoformat(change["to"]), lang)
                lines.append(texts.t(f"change_{code}", lang, gap=gap))
            else:
                lines.append(texts.t(f"change_{code}", lang))
        if hours_total >= 600 and not after.get("exempt"):
            lines.append(texts.t("hours_reached", lang))
        elif per_week <= 0 and not after.get("exempt") and after.get("late"):
            lines.append(texts.t("no_lessons", lang))
        if after.get("termijn_end"):
            lines.append(texts.t("legal_end", lang, date=texts.format_day(date.fromisoformat(after["termijn_end"]), lang)))
        if after.get("obstacle") not in (None, "none"):
            lines.append(texts.t("obstacle_help", lang))
        lines.append(texts.t("next", lang, date=texts.format_day(next_day, lang)))
        return "\n\n".join(lines)

    @staticmethod
    def _say(key: str, lang: str, **params: Any) -> OutgoingMessage:
        return OutgoingMessage(text=texts.t(key, lang, **params), sender="system")

    # -- sending ------------------------------------------------------------------------
    def _due_ids(self, now: datetime) -> list[int]:
        with self.session_factory() as session:
            statement = (
                select(CheckinPlan.id)
                .where(CheckinPlan.status == "active", CheckinPlan.next_attempt_at <= now)
                .order_by(CheckinPlan.next_attempt_at, CheckinPlan.id)
                .limit(BATCH)
            )
            return list(session.scalars(statement))

    def _claim(self, plan_id: int, now: datetime) -> CheckinPlan | None:
        with self.session_factory() as session:
            result = session.execute(
                update(CheckinPlan)
                .where(CheckinPlan.id == plan_id, CheckinPlan.status == "active", CheckinPlan.next_attempt_at <= now)
                .values(attempts=CheckinPlan.attempts + 1, next_attempt_at=now + LEASE)
            )
            session.commit()
            if result.rowcount != 1:
                return None
            return session.get(CheckinPlan, plan_id)

    async def send_due(self, now: datetime | None = None) -> int:
        """Send every check-in that is due at `now`; returns how many went out."""
        now = now or self.clock()
        sent = 0
        for plan_id in self._due_ids(now):
            plan = self._claim(plan_id, now)
            if plan is None:  # taken by another run
                continue
            checkin_id = None
            try:
                checkin_id, message = self._prepare(plan, now)
                await self.conversations.deliver(plan.conversation_id, [message])
            except Exception as exc:  # noqa: BLE001 - any channel failure is retried with a bound
                self._failed(plan, checkin_id, now, exc)
                continue
            self._sent(plan, checkin_id, now)
            sent += 1
        if sent:
            log.info("check-ins sent count=%d", sent)
        return sent

    def _prepare(self, plan: CheckinPlan, now: datetime) -> tuple[int, OutgoingMessage]:
        """The check-in of this round and its first question, each stored once (a retry reuses them)."""
        with self.session_factory() as session:
            checkin = session.scalars(
                select(Checkin).where(Checkin.plan_id == plan.id, Checkin.status == "sending")
            ).first()
            if checkin is None:
                session.execute(  # the last round's questions that were never finished
                    update(Checkin).where(Checkin.plan_id == plan.id, Checkin.status == "open").values(status="missed")
                )
                number = session.scalar(select(func.max(Checkin.number)).where(Checkin.plan_id == plan.id)) or 0
                checkin = Checkin(plan_id=plan.id, conversation_id=plan.conversation_id, number=number + 1,
                                  status="sending", step="hours", due_at=plan.next_at)
                session.add(checkin)
                session.commit()
            checkin_id, message_id = checkin.id, checkin.question_message_id
            if message_id is None:
                stored = self._store_question(checkin_id, self.question(checkin, plan, "hours", plan.lang),
                                              plan.conversation_id)
                return checkin_id, stored
        message = self.conversations.stored_message(message_id)
        if message is None:  # removed meanwhile (retention): ask again
            message = self._store_question(checkin_id, self.question(checkin, plan, "hours", plan.lang),
                                           plan.conversation_id)
        return checkin_id, message

    def _next_round(self, plan: CheckinPlan, now: datetime) -> datetime:
        return self.send_time(self.today(now) + timedelta(weeks=plan.interval_weeks), now)

    def _sent(self, plan: CheckinPlan, checkin_id: int | None, now: datetime) -> None:
        next_at = self._next_round(plan, now)
        with self.session_factory() as session:
            session.execute(update(Checkin).where(Checkin.id == checkin_id).values(status="open", sent_at=now))
            session.execute(
                update(CheckinPlan).where(CheckinPlan.id == plan.id)
                .values(next_at=next_at, next_attempt_at=next_at, attempts=0)
            )
            session.commit()

    def _failed(self, plan: CheckinPlan, checkin_id: int | None, now: datetime, exc: Exception) -> None:
        final = plan.attempts >= self.settings.reminder_max_attempts
        with self.session_factory() as session:
            if final:  # this round is missed; the next one comes as planned
                next_at = self._next_round(plan, now)
                if checkin_id is not None:
                    session.execute(update(Checkin).where(Checkin.id == checkin_id).values(status="missed"))
                values: dict[str, Any] = {"next_at": next_at, "next_attempt_at": next_at, "attempts": 0}
            else:
                backoff = min(timedelta(minutes=5) * 2 ** (plan.attempts - 1), timedelta(hours=6))
                values = {"next_attempt_at": now + backoff}
            session.execute(update(CheckinPlan).where(CheckinPlan.id == plan.id).values(**values))
            session.commit()
        log.warning(
            "check-in send failed plan=%d attempt=%d final=%s error=%s", plan.id, plan.attempts, final, type(exc).__name__
        )
