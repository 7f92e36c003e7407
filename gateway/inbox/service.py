"""The handoff itself: tickets from the bot's payload, a quiet bot while a person answers,
consultant replies to the user's channel, and the way back to the bot.

The bot (Rasa) asks for consent and then sends
`{"wegwijs": {"type": "handoff", "reason", "consent_at", "lang", "slots", "summary"}}` and pauses
its own tracker (ConversationPaused). Closing a ticket appends `{"event": "resume"}` (and action_listen) to the
tracker; when the engine is down at that moment the ticket keeps `resume_pending` and the resume
is retried (on the user's next message and by a background loop) so it is never lost.

Privacy first: "delete my data" (`/delete_my_data`, Telegram's /verwijder) is not absorbed by an
open ticket. The bot's tracker is resumed (a handoff paused it) and the command goes to the bot,
which asks for confirmation; its answer buttons (`/affirm`, `/deny`) pass too while that
question is open. When the data is deleted (`erasing`), the ticket is closed and keeps only an
event without content, so the consultant sees what happened.

A ticket's transcript starts at the current conversation session: after the previous ticket,
and not before the last silence longer than `SESSION_GAP` (Rasa's session_expiration_time).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.core import crud as core_crud
from gateway.core.conversation import ConversationService, InboundMessage, PayloadContext
from gateway.core.engine import EngineUnavailable
from gateway.core.models import Message, utcnow
from gateway.core.schemas import OutgoingMessage
from gateway.inbox import crud
from gateway.inbox.i18n import ui
from gateway.inbox.models import (
    CLOSE_REASONS,
    DATA_DELETED,
    OPEN_STATES,
    Consultant,
    Note,
    Ticket,
    TicketEvent,
)
from gateway.inbox.notify import Notifier, TeamChannel, TicketNotice
from gateway.inbox.office_hours import OfficeHours
from knowledge import languages, texts
from knowledge.texts import Localized
from redaction.logs import hash_id

if TYPE_CHECKING:
    from gateway.inbox.access import Scope

log = logging.getLogger(__name__)

KIND = "handoff"
REASON_PATTERN = re.compile(r"^(user_request|fallback|danger|topic:[a-z0-9_]{1,60})$")
MAX_SUMMARY_CHARS = 600
MAX_SLOTS = 30
MAX_REPLY_CHARS = 4000
RESUME_RETRY_S = 30.0
# Resume the bot's tracker, then listen: the next user message is read like any other turn
# (without the action_listen, the bot's rules do not see a normal user turn after a pause).
RESUME_EVENTS = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
# Same as bot/domain/_shared.yml `session_expiration_time: 1440` (minutes): after a silence this
# long Rasa starts a new conversation session, and so does a ticket's transcript.
SESSION_GAP = timedelta(hours=24)
# Privacy commands reach the bot even while a person owns the conversation. Telegram's
# /verwijder arrives as /delete_my_data (channels/telegram/mapping.SERVICE_COMMANDS).
ERASE_KIND = "delete_my_data"  # the bot's payload type after a confirmed deletion (gateway.privacy)
PRIVACY_COMMANDS = frozenset({"/delete_my_data", "/verwijder"})
# The buttons of the bot's confirmation question (utter_confirm_delete); passed only while it is open.
PRIVACY_ANSWERS = frozenset({"/affirm", "/deny"})
PRIVACY_ANSWER_WINDOW = timedelta(minutes=30)
# Abuse limits (review finding 6): new tickets per conversation per hour (refused beyond it), and
# notifications (e-mail, webhook) per hour over all conversations (tickets are still created).
TICKET_WINDOW = timedelta(hours=1)
TICKETS_LIMITED = Localized("gateway.tickets_limited")

# The user's texts during a handoff come from the catalogue (`inbox.handoff_*` in
# knowledge/i18n/<lang>/messages/inbox.yaml), in any language Wegwijs speaks; Dutch where a
# translation is missing.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def text_for(language: str, key: str, **values: str) -> str:
    return texts.text(f"inbox.handoff_{key}", language, **values)


def describe_opening(opening: datetime, now: datetime, language: str) -> str:
    """"morgen om 09:00" / "tomorrow at 09:00" / "yarın saat 09:00": the next opening, for the user."""
    days = (opening.date() - now.astimezone(opening.tzinfo).date()).days
    clock = opening.strftime("%H:%M")
    if days in (0, 1):
        return texts.text("inbox.opening_today" if days == 0 else "inbox.opening_tomorrow", language, time=clock)
    weekday = texts.text(f"inbox.weekday.{WEEKDAYS[opening.weekday()]}", language)
    return texts.text("inbox.opening_weekday", language, weekday=weekday, time=clock)


class TicketNotFound(LookupError):
    pass


class TicketConflict(Exception):
    """The action does not fit the ticket's state; the message is shown to the consultant."""


class DeliveryFailed(Exception):
    pass


def _parse_consent(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _clean_slots(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    slots: dict[str, Any] = {}
    for key, item in list(value.items())[:MAX_SLOTS]:
        if item is None or not isinstance(key, str):
            continue
        if isinstance(item, (str, int, float, bool)):
            slots[key[:60]] = item if not isinstance(item, str) else item[:200]
        elif isinstance(item, list):
            slots[key[:60]] = [str(x)[:200] for x in item[:10]]
    return slots


# The conversation's open ticket, else its last closed one: `crud.open_ticket_for` and then
# `crud.last_closed_ticket_for` folded into ONE query, because `intercept` runs it on every user
# turn and most conversations never had a ticket. Open tickets sort first (there is at most one,
# by the partial unique index), then the newest closed one. Built once: constructing a statement
# costs more CPU than SQLite takes to run it (the compiled form is cached either way).
_TICKET_FOR_TURN = (
    select(Ticket)
    .where(
        Ticket.conversation_id == bindparam("conversation_id"),
        # = the IN of both crud functions; plain equalities skip IN's per-execution expansion
        or_(*(Ticket.state == state for state in (*OPEN_STATES, "closed"))),
    )
    .order_by(case((Ticket.state == "closed", 1), else_=0), Ticket.id.desc())
    .limit(1)
)


def _ticket_for_turn(session: Session, conversation_id: str) -> Ticket | None:
    return session.scalars(_TICKET_FOR_TURN, {"conversation_id": conversation_id}).first()


def _command(text: str) -> str:
    """`/delete_my_data{"x": 1}` → `/delete_my_data` (intent payloads may carry entities)."""
    return text.strip().split("{", 1)[0].strip().lower()


def _privacy_question_open(session: Session, ticket: Ticket, now: datetime) -> bool:
    """True when the user's last privacy step on this ticket was the request, recently."""
    last = session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(("privacy_request", "privacy_answer")))
        .order_by(TicketEvent.id.desc())
        .limit(1)
    ).first()
    return last is not None and last.kind == "privacy_request" and now - last.at <= PRIVACY_ANSWER_WINDOW


def session_start_message_id(session: Session, conversation_id: str) -> int:
    """Id of the first message of the conversation's current session (0 when it has none):
    walking back from the newest message, the first silence longer than `SESSION_GAP` ends it."""
    rows = session.execute(
        select(Message.id, Message.created_at)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
    )
    start, later = 0, None
    for message_id, created_at in rows:
        if later is not None and later - created_at > SESSION_GAP:
            break
        start, later = message_id, created_at
    return start


class HandoffService:
    def __init__(
        self,
        *,
        conversations: ConversationService,
        notifier: Notifier,
        office_hours: OfficeHours,
        municipality_name: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.conversations = conversations
        self.notifier = notifier
        self.office_hours = office_hours
        self.municipality_name = municipality_name
        self.clock = clock
        # Per municipality: its name and office hours (from its file in knowledge/municipalities/).
        self._places: dict[str, tuple[str, OfficeHours]] = {}

    @property
    def session_factory(self) -> sessionmaker[Session]:
        return self.conversations.session_factory

    # -- from the bot ------------------------------------------------------------------
    async def handle_handoff_payload(self, context: PayloadContext, data: dict[str, Any]) -> list[OutgoingMessage]:
        """Payload handler for kind "handoff": create (or find) the ticket, tell the user what happens."""
        conversation = context.conversation
        # The ticket keeps the user's language (any language Wegwijs speaks: the queue filters and
        # marks on it); the texts below fall back to Dutch where the catalogue has no translation.
        language = languages.supported(data.get("lang") or None, conversation.language)
        consent_at = _parse_consent(data.get("consent_at"))
        if consent_at is None:
            log.error("handoff payload without a valid consent_at; nothing stored conversation=%s",
                      hash_id(conversation.id))
            return [OutgoingMessage(text=text_for(language, "no_consent"), sender="system")]
        reason = str(data.get("reason") or "")
        if not REASON_PATTERN.match(reason):
            log.warning("handoff payload with unknown reason; stored as user_request")
            reason = "user_request"
        summary = data.get("summary")
        if self._over_ticket_limit(conversation.id):
            log.warning("ticket limit reached conversation=%s", hash_id(conversation.id))
            return [OutgoingMessage(text=TICKETS_LIMITED.get(language, TICKETS_LIMITED["nl"]), sender="system")]
        municipality = self.municipality_of(conversation.municipality)
        ticket_id, created = self.create_ticket(
            conversation_id=conversation.id,
            reason=reason,
            language=language,
            consent_at=consent_at,
            slots=_clean_slots(data.get("slots")),
            summary=str(summary)[:MAX_SUMMARY_CHARS] if summary else None,
            municipality=municipality,
        )
        if not created:
            log.info("handoff while ticket %d is open: nothing created", ticket_id)
            return []
        if self._recent_tickets() > self.conversations.settings.handoff_max_notifications_per_hour:
            log.warning("ticket %d: notification limit per hour reached; not notified", ticket_id)
            return [OutgoingMessage(text=self.accepted_text(language, municipality), sender="system")]
        self.notifier.ticket_created(
            TicketNotice(
                ticket_id=ticket_id,
                reason=reason,
                language=language,
                url=f"{self.conversations.settings.public_base}/inbox/tickets/{ticket_id}",
                municipality=municipality,
            ),
            teams=self._team_channels(municipality),
        )
        return [OutgoingMessage(text=self.accepted_text(language, municipality), sender="system")]

    def municipality_of(self, municipality: str | None) -> str:
        """A conversation's municipality; None (not known yet) is the deployment's default."""
        return municipality or self.conversations.settings.municipality

    def place(self, municipality: str | None) -> tuple[str, OfficeHours]:
        """The municipality's name and the office hours of the team that answers for it: the
        `openingstijden` of its file in knowledge/municipalities/ (the deployment's own for the
        default municipality or an unknown one)."""
        code = self.municipality_of(municipality)
        if code == self.conversations.settings.municipality:
            return self.municipality_name, self.office_hours
        if code not in self._places:
            from knowledge.loader import load_municipality

            try:
                found = load_municipality(code)
            except FileNotFoundError:
                log.warning("municipality %s has no file; using the default's office hours", code)
                return self.municipality_name, self.office_hours
            self._places[code] = (
                found.naam,
                OfficeHours.from_openingstijden(found.openingstijden, self.conversations.settings.timezone),
            )
        return self._places[code]

    def _team_channels(self, municipality: str) -> list[TeamChannel]:
        """The notification settings of the teams that serve the municipality (gateway.inbox.notify)."""
        from gateway.inbox.access import teams_serving

        with self.session_factory() as session:
            return [
                TeamChannel(slug=team.slug, recipients=tuple(team.recipients), webhook_url=team.webhook_url)
                for team in teams_serving(session, municipality)
            ]

    def _recent_tickets(self, conversation_id: str | None = None) -> int:
        """Tickets created in the last `TICKET_WINDOW` (of one conversation, or all)."""
        since = self.clock() - TICKET_WINDOW
        query = select(func.count()).select_from(Ticket).where(Ticket.created_at >= since)
        if conversation_id is not None:
            query = query.where(Ticket.conversation_id == conversation_id)
        with self.session_factory() as session:
            return int(session.execute(query).scalar_one())

    def _over_ticket_limit(self, conversation_id: str) -> bool:
        limit = self.conversations.settings.handoff_max_tickets_per_conversation_per_hour
        return self._recent_tickets(conversation_id) >= limit

    def accepted_text(self, language: str, municipality: str | None = None) -> str:
        now = self.clock()
        name, office_hours = self.place(municipality)
        text = text_for(language, "accepted", gemeente=name)
        opening = None if office_hours.is_open(now) else office_hours.next_opening(now)
        if opening is None:
            return f"{text} {text_for(language, 'open_now')}"
        return f"{text} {text_for(language, 'closed_now', when=describe_opening(opening, now, language))}"

    def create_ticket(
        self,
        *,
        conversation_id: str,
        reason: str,
        language: str,
        consent_at: datetime,
        slots: dict[str, Any],
        summary: str | None,
        municipality: str | None = None,
    ) -> tuple[int, bool]:
        """Create the conversation's open ticket; returns (id, created). Idempotent."""
        with self.session_factory() as session:
            existing = crud.open_ticket_for(session=session, conversation_id=conversation_id)
            if existing is not None:
                return existing.id, False
            conversation = core_crud.get_conversation(session=session, conversation_id=conversation_id)
            if conversation is None:
                raise LookupError(f"conversation {conversation_id} not found")
            previous = crud.last_closed_ticket_for(session=session, conversation_id=conversation_id)
            now = self.clock()
            ticket = Ticket(
                conversation_id=conversation_id,
                state="waiting",
                reason=reason,
                language=language,
                channel=conversation.channel,
                channel_user_id=conversation.channel_user_id,
                # copied once, so every access check is one WHERE on the ticket (gateway.inbox.access)
                municipality=self.municipality_of(municipality or conversation.municipality),
                summary=summary,
                slots=slots,
                consent_at=consent_at,
                created_at=now,
                updated_at=now,
                first_message_id=max(
                    (previous.last_message_id or 0) + 1 if previous else 0,
                    session_start_message_id(session, conversation_id),
                ),
                user_acknowledged=False,
                resume_pending=False,
            )
            session.add(ticket)
            try:
                session.flush()
                crud.add_event(
                    session=session, ticket=ticket, actor="user", kind="created", at=now,
                    data={"reason": reason, "consent_at": consent_at.isoformat()},
                )
                session.commit()
            except IntegrityError:  # another request created the open ticket first
                session.rollback()
                existing = crud.open_ticket_for(session=session, conversation_id=conversation_id)
                if existing is None:
                    raise
                return existing.id, False
            log.info("ticket %d created reason=%s channel=%s", ticket.id, reason, ticket.channel)
            return ticket.id, True

    # -- while a person owns the conversation ------------------------------------------
    async def intercept(self, inbound: InboundMessage) -> list[OutgoingMessage] | None:
        """Interceptor: absorb user messages while a ticket is open (the engine is not called)."""
        pending: int | None = None
        command = _command(inbound.text)
        with self.session_factory() as session:
            ticket = _ticket_for_turn(session, inbound.conversation.id)
            if ticket is None or not ticket.is_open:
                pending = ticket.id if ticket is not None and ticket.resume_pending else None
            elif command in PRIVACY_COMMANDS or (
                command in PRIVACY_ANSWERS and _privacy_question_open(session, ticket, self.clock())
            ):
                kind = "privacy_request" if command in PRIVACY_COMMANDS else "privacy_answer"
                crud.add_event(session=session, ticket=ticket, actor="user", kind=kind, at=self.clock())
                ticket_id = ticket.id
                session.commit()
                if kind == "privacy_request":
                    await self._wake_engine(inbound.conversation.id, ticket_id)
                return None  # to the bot
            else:
                now = self.clock()
                crud.add_event(
                    session=session, ticket=ticket, actor="user", kind="message", at=now,
                    data={"message_id": inbound.message_id, "direction": "in"},
                )
                ticket.last_user_message_at = now
                acknowledge = not ticket.user_acknowledged
                ticket.user_acknowledged = True
                language = ticket.language
                session.commit()
                if acknowledge:
                    return [OutgoingMessage(text=text_for(language, "ack"), sender="system")]
                return []
        if pending is not None:
            await self.resume_engine(pending)
        return None

    # -- consultant actions ------------------------------------------------------------
    # `scope` (gateway.inbox.access): the consultant's municipalities; a ticket outside them is
    # TicketNotFound. Every inbox route passes it; None only for the system itself.
    def claim(self, *, ticket_id: int, consultant: Consultant, scope: Scope | None = None) -> None:
        with self.session_factory() as session:
            ticket = self._get(session, ticket_id, scope)
            self._assign(session, ticket, consultant)
            session.commit()

    async def reply(self, *, ticket_id: int, consultant: Consultant, text: str, scope: Scope | None = None) -> int:
        """Send the consultant's text to the user's channel; returns the stored message id."""
        text = text.strip()
        with self.session_factory() as session:
            ticket = self._get(session, ticket_id, scope)
            if not text:
                raise TicketConflict(ui("reply_empty"))
            if len(text) > MAX_REPLY_CHARS:
                raise TicketConflict(ui("reply_too_long", max=MAX_REPLY_CHARS))
            self._assign(session, ticket, consultant)
            conversation_id = ticket.conversation_id
            session.commit()
        try:
            stored = await self.conversations.deliver(
                conversation_id, [OutgoingMessage(text=text, sender="consultant")]
            )
        except Exception as exc:  # noqa: BLE001 - a channel failure must reach the consultant
            log.warning("reply to ticket %d not delivered: %s", ticket_id, type(exc).__name__)
            raise DeliveryFailed(type(exc).__name__) from exc
        message_id = stored[0].id or 0
        with self.session_factory() as session:
            ticket = self._get(session, ticket_id)
            now = self.clock()
            crud.add_event(
                session=session, ticket=ticket, actor=consultant.actor, kind="message", at=now,
                data={"message_id": message_id, "direction": "out"},
            )
            if ticket.first_human_reply_at is None:
                ticket.first_human_reply_at = now
            ticket.last_human_reply_at = now
            session.commit()
        return message_id

    def add_note(self, *, ticket_id: int, consultant: Consultant, text: str, scope: Scope | None = None) -> int:
        text = text.strip()
        with self.session_factory() as session:
            ticket = self._get(session, ticket_id, scope)
            if not text:
                raise TicketConflict(ui("note_empty"))
            self._check_owner(ticket, consultant)
            now = self.clock()
            note = Note(ticket_id=ticket.id, consultant_id=consultant.id, text=text[:MAX_REPLY_CHARS], created_at=now)
            session.add(note)
            session.flush()
            crud.add_event(session=session, ticket=ticket, actor=consultant.actor, kind="note", at=now,
                           data={"note_id": note.id})
            session.commit()
            return note.id

    async def close(self, *, ticket_id: int, consultant: Consultant, reason: str, scope: Scope | None = None) -> None:
        """Close the ticket, give the conversation back to the bot and tell the user."""
        with self.session_factory() as session:
            ticket = self._get(session, ticket_id, scope)
            if reason not in CLOSE_REASONS:
                raise TicketConflict(ui("close_reason_missing"))
            if not ticket.is_open:
                raise TicketConflict(ui("already_closed"))
            self._assign(session, ticket, consultant)  # like reply: a colleague's ticket is theirs to close
            now = self.clock()
            ticket.state = "closed"
            ticket.closed_at = now
            ticket.close_reason = reason
            ticket.resume_pending = True
            crud.add_event(session=session, ticket=ticket, actor=consultant.actor, kind="closed", at=now,
                           data={"reason": reason})
            conversation_id, language = ticket.conversation_id, ticket.language
            session.commit()
        await self.resume_engine(ticket_id)
        try:
            await self.conversations.deliver(
                conversation_id, [OutgoingMessage(text=text_for(language, "closing"), sender="system")]
            )
        except Exception as exc:  # noqa: BLE001 - the ticket is closed either way
            log.warning("closing message of ticket %d not delivered: %s", ticket_id, type(exc).__name__)
        with self.session_factory() as session:
            ticket = self._get(session, ticket_id)
            ticket.last_message_id = crud.last_message_id(session=session, conversation_id=conversation_id)
            session.commit()

    # -- back to the bot ---------------------------------------------------------------
    async def resume_engine(self, ticket_id: int) -> bool:
        """Append `resume` to the Rasa tracker; keeps `resume_pending` when the engine is down."""
        with self.session_factory() as session:
            ticket = self._get(session, ticket_id)
            if not ticket.resume_pending:
                return True
            conversation_id = ticket.conversation_id
        try:
            await self.conversations.engine.add_events(conversation_id, RESUME_EVENTS)
        except EngineUnavailable as exc:
            with self.session_factory() as session:
                ticket = self._get(session, ticket_id)
                already_logged = any(e.kind == "resume_failed" for e in ticket.events)
                if not already_logged:
                    crud.add_event(session=session, ticket=ticket, actor="system", kind="resume_failed",
                                   at=self.clock(), data={"error": str(exc)[:80]})
                    session.commit()
            log.warning("resume of ticket %d failed; will retry", ticket_id)
            return False
        with self.session_factory() as session:
            ticket = self._get(session, ticket_id)
            ticket.resume_pending = False
            crud.add_event(session=session, ticket=ticket, actor="system", kind="resumed", at=self.clock())
            session.commit()
        return True

    async def retry_pending_resumes(self) -> int:
        """Try every resume that is still pending; returns how many went through."""
        with self.session_factory() as session:
            ids = list(session.scalars(select(Ticket.id).where(Ticket.resume_pending.is_(True))))
        done = 0
        for ticket_id in ids:
            done += await self.resume_engine(ticket_id)
        return done

    async def resume_retry_loop(self, interval_s: float = RESUME_RETRY_S) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.retry_pending_resumes()
            except Exception:  # noqa: BLE001 - keep the loop alive (e.g. database restarting)
                log.exception("resume retry round failed")

    # -- internals ---------------------------------------------------------------------
    def _get(self, session: Session, ticket_id: int, scope: Scope | None = None) -> Ticket:
        ticket = crud.get_ticket(session=session, ticket_id=ticket_id)
        if ticket is None or (scope is not None and not scope.allows(ticket.municipality)):
            raise TicketNotFound(ticket_id)
        return ticket

    def _check_owner(self, ticket: Ticket, consultant: Consultant) -> None:
        """Notes: anyone on a waiting ticket, only the assignee on a claimed one (as reply)."""
        if ticket.state == "assigned" and ticket.assigned_to != consultant.id:
            raise TicketConflict("Dit ticket is al geclaimd door een collega.")

    async def _wake_engine(self, conversation_id: str, ticket_id: int) -> None:
        """Resume the paused tracker so the bot answers the privacy command (ticket stays open)."""
        try:
            await self.conversations.engine.add_events(conversation_id, RESUME_EVENTS)
        except EngineUnavailable:
            log.warning("engine not reachable for the privacy command of ticket %d", ticket_id)

    # -- "delete my data" while a ticket is open -----------------------------------------
    def erasing(self, erase: Callable[[PayloadContext, dict[str, Any]], Any]) -> Callable[..., Any]:
        """Wrap the privacy payload handler: erase first, then close the conversation's open ticket."""

        async def handler(context: PayloadContext, data: dict[str, Any]) -> list[OutgoingMessage]:
            with self.session_factory() as session:
                ticket = crud.open_ticket_for(session=session, conversation_id=context.conversation.id)
                snapshot = None if ticket is None else {
                    "id": ticket.id, "language": ticket.language, "channel": ticket.channel,
                    "created_at": ticket.created_at, "assigned_to": ticket.assigned_to,
                    "assigned_at": ticket.assigned_at,
                }
            replies = await erase(context, data)
            if snapshot is not None:
                self._close_erased(context.conversation.id, snapshot)
            return replies

        return handler

    def _close_erased(self, conversation_id: str, snapshot: dict[str, Any]) -> None:
        """The ticket after its conversation was erased: closed, without content, one event.

        The erase removes the ticket with its messages, notes and events; it comes back under
        the same number (so the consultant's open page shows what happened) with only who had it,
        when it started, and the `data_deleted` event. Retention removes it like any ticket.
        """
        now = self.clock()
        with self.session_factory() as session:
            ticket = session.get(Ticket, snapshot["id"])
            if ticket is None:
                ticket = Ticket(
                    id=snapshot["id"], conversation_id=conversation_id, reason=DATA_DELETED,
                    language=snapshot["language"], channel=snapshot["channel"], channel_user_id="",
                    created_at=snapshot["created_at"], assigned_to=snapshot["assigned_to"],
                    assigned_at=snapshot["assigned_at"], user_acknowledged=True,
                )
                session.add(ticket)
            else:  # the erase left it (e.g. deletion still queued): strip it the same way
                for note in session.scalars(select(Note).where(Note.ticket_id == ticket.id)):
                    session.delete(note)
                ticket.events.clear()
                ticket.reason, ticket.channel_user_id = DATA_DELETED, ""
            ticket.state, ticket.closed_at, ticket.close_reason = "closed", now, DATA_DELETED
            ticket.summary, ticket.slots, ticket.consent_at = None, {}, None
            ticket.first_message_id, ticket.last_message_id = 0, 0  # no transcript
            ticket.resume_pending = False
            ticket.updated_at = now
            try:
                session.flush()
                crud.add_event(session=session, ticket=ticket, actor="user", kind="data_deleted", at=now)
                session.commit()
            except IntegrityError:  # the conversation itself is gone: nothing left to show
                session.rollback()
                log.warning("ticket %d: user data deleted; no conversation left for the notice", snapshot["id"])
                return
        log.info("ticket %d closed: the user deleted their data", snapshot["id"])

    def _assign(self, session: Session, ticket: Ticket, consultant: Consultant) -> None:
        if ticket.state == "closed":
            raise TicketConflict("Dit ticket is al gesloten.")
        if ticket.state == "assigned":
            if ticket.assigned_to == consultant.id:
                return
            raise TicketConflict("Dit ticket is al geclaimd door een collega.")
        now = self.clock()
        ticket.state = "assigned"
        ticket.assigned_to = consultant.id
        ticket.assigned_at = now
        crud.add_event(session=session, ticket=ticket, actor=consultant.actor, kind="assigned", at=now)
