"""Database reads and writes of tickets (keyword-only arguments, the caller owns the session)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from gateway.core.models import Message, utcnow
from gateway.inbox.i18n import ui
from gateway.inbox.models import (
    DATA_DELETED,
    OPEN_STATES,
    Consultant,
    Note,
    Ticket,
    TicketEvent,
    reason_group,
)

if TYPE_CHECKING:
    from gateway.inbox.access import Scope

VIEWS = ("waiting", "mine", "open", "closed", "all")
TRANSCRIPT_LIMIT = 300


def get_ticket(*, session: Session, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def open_ticket_for(*, session: Session, conversation_id: str) -> Ticket | None:
    statement = select(Ticket).where(Ticket.conversation_id == conversation_id, Ticket.state.in_(OPEN_STATES))
    return session.scalars(statement).first()


def last_closed_ticket_for(*, session: Session, conversation_id: str) -> Ticket | None:
    statement = (
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.state == "closed")
        .order_by(Ticket.id.desc())
        .limit(1)
    )
    return session.scalars(statement).first()


def last_message_id(*, session: Session, conversation_id: str) -> int:
    value = session.scalar(select(func.max(Message.id)).where(Message.conversation_id == conversation_id))
    return int(value or 0)


def add_event(
    *, session: Session, ticket: Ticket, actor: str, kind: str, data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> TicketEvent:
    at = at or utcnow()
    event = TicketEvent(ticket_id=ticket.id, at=at, actor=actor, kind=kind, data=data or {})
    session.add(event)
    ticket.updated_at = at
    return event


def list_tickets(
    *,
    session: Session,
    scope: Scope,
    view: str = "waiting",
    consultant_id: int | None = None,
    language: str | None = None,
    reason: str | None = None,
    spoken: Collection[str] | None = None,
    limit: int = 200,
) -> list[Ticket]:
    """The tickets of one view; `language` keeps one language, `spoken` only these languages
    (the consultant's own, for the "my languages" filter). Only the tickets of `scope`'s
    municipalities."""
    statement = select(Ticket).options(selectinload(Ticket.assignee)).where(scope.where(Ticket.municipality))
    if view == "waiting":
        statement = statement.where(Ticket.state == "waiting").order_by(Ticket.created_at)
    elif view == "mine":
        statement = statement.where(Ticket.state == "assigned", Ticket.assigned_to == consultant_id)
        statement = statement.order_by(Ticket.updated_at.desc())
    elif view == "open":
        statement = statement.where(Ticket.state.in_(OPEN_STATES)).order_by(Ticket.created_at)
    elif view == "closed":
        statement = statement.where(Ticket.state == "closed").order_by(Ticket.closed_at.desc())
    else:
        statement = statement.order_by(Ticket.created_at.desc())
    if language:
        statement = statement.where(Ticket.language == language)
    if spoken is not None:
        statement = statement.where(Ticket.language.in_(list(spoken)))
    if reason:
        statement = statement.where(
            Ticket.reason.like(f"{reason}:%") if reason == "topic" else Ticket.reason == reason
        )
    return list(session.scalars(statement.limit(limit)))


def count_tickets(*, session: Session, scope: Scope) -> dict[str, int]:
    """Waiting, mine and open tickets among `scope`'s municipalities."""
    consultant_id = scope.consultant_id
    rows = session.execute(
        select(Ticket.state, Ticket.assigned_to, func.count())
        .where(scope.where(Ticket.municipality))
        .group_by(Ticket.state, Ticket.assigned_to)
    )
    counts = {"waiting": 0, "mine": 0, "open": 0}
    for state, assigned_to, n in rows:
        if state == "waiting":
            counts["waiting"] += n
        if state in OPEN_STATES:
            counts["open"] += n
        if state == "assigned" and assigned_to == consultant_id:
            counts["mine"] += n
    return counts


def transcript(*, session: Session, ticket: Ticket) -> list[Message]:
    """The conversation's messages that belong to this ticket, oldest first."""
    statement = select(Message).where(
        Message.conversation_id == ticket.conversation_id, Message.id >= ticket.first_message_id
    )
    if ticket.last_message_id is not None:
        statement = statement.where(Message.id <= ticket.last_message_id)
    statement = statement.order_by(Message.id.desc()).limit(TRANSCRIPT_LIMIT)
    return list(reversed(list(session.scalars(statement))))


def notes(*, session: Session, ticket: Ticket) -> list[Note]:
    statement = select(Note).options(selectinload(Note.author)).where(Note.ticket_id == ticket.id).order_by(Note.id)
    return list(session.scalars(statement))


def consultant_names(*, session: Session) -> dict[int, str]:
    return {cid: name for cid, name in session.execute(select(Consultant.id, Consultant.name))}


def reason_label(reason: str) -> str:
    if reason == DATA_DELETED:
        return ui("reason_data_deleted")
    group = reason_group(reason)
    if group == "topic":
        return ui("reason_topic_named", topic=reason.split(":", 1)[1].replace("_", " "))
    if group in ("user_request", "fallback", "danger"):
        return ui(f"reason_{group}")
    return ui("reason_other")
