"""Database tables of the inbox: tickets, their event log, consultants, notes and login sessions.

They live on the gateway's `Base` (same database and migrations as conversations and messages).
One OPEN ticket per conversation is enforced by a partial unique index (`state != 'closed'`)
that SQLite and PostgreSQL both support.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.core.models import Base, UTCDateTime, utcnow
from gateway.inbox.i18n import ui
from knowledge import languages as wegwijs_languages

TICKET_STATES = ("waiting", "assigned", "closed")
OPEN_STATES = ("waiting", "assigned")
REASONS = ("user_request", "fallback", "danger", "topic")
EVENT_KINDS = (
    "created", "assigned", "message", "note", "closed", "resumed", "resume_failed",
    "privacy_request", "privacy_answer", "data_deleted",
)
CLOSE_REASONS = {
    reason: ui(f"close_reason_{reason}") for reason in ("beantwoord", "doorverwezen", "geen_reactie", "dubbel", "anders")
}
# Set by the system, never chosen in the close form: the user deleted their data (`data_deleted`).
DATA_DELETED = "data_deleted"


def reason_group(reason: str) -> str:
    """`topic:niet_kunnen_betalen` → `topic`; the others are their own group."""
    return reason.split(":", 1)[0]


DEFAULT_LANGUAGES = "nl"


def parse_languages(value: str | list[str] | tuple[str, ...]) -> str:
    """Language codes ("nl,tr", ["nl", "tr"]) as the stored form: known codes, comma-separated,
    in the order of knowledge/languages.yml. Raises ValueError for an unknown code or none."""
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = {item.strip().lower() for item in items if item and item.strip()}
    unknown = sorted(codes - set(wegwijs_languages.CODES))
    if unknown:
        raise ValueError(
            f"unknown language code(s): {', '.join(unknown)}; use: {', '.join(wegwijs_languages.CODES)}"
        )
    if not codes:
        raise ValueError("give at least one language code")
    return ",".join(code for code in wegwijs_languages.CODES if code in codes)


class Consultant(Base):
    __tablename__ = "inbox_consultants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The languages the consultant speaks: codes of knowledge/languages.yml, comma-separated
    # ("nl,tr"); see `parse_languages`. The queue marks tickets in other languages.
    languages: Mapped[str] = mapped_column(String(64), default=DEFAULT_LANGUAGES, server_default=DEFAULT_LANGUAGES)
    # An admin manages consultants and teams (pages under /inbox/admin, the CLI). It gives no
    # access to tickets: like everyone, an admin sees the municipalities of their own teams.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def actor(self) -> str:
        return f"consultant:{self.id}"

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(code for code in (self.languages or "").split(",") if code)


class ConsultantSession(Base):
    """A server-side login session; the browser's signed cookie only holds its random token.

    Logging out deletes the row, so a copied cookie is worthless afterwards.
    """

    __tablename__ = "inbox_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    consultant_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("inbox_consultants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    consultant: Mapped[Consultant] = relationship()


class Ticket(Base):
    __tablename__ = "inbox_tickets"
    __table_args__ = (
        Index(
            "uq_inbox_tickets_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
        Index("ix_inbox_tickets_state_created", "state", "created_at"),
        {"sqlite_autoincrement": True},  # ticket numbers are never reused (migration media_0001)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    reason: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8), default="nl")
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(128))
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Transcript: the conversation's messages from `first_message_id` on (up to
    # `last_message_id` once closed); earlier messages belong to an earlier ticket or none.
    first_message_id: Mapped[int] = mapped_column(Integer, default=0)
    last_message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    assigned_to: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("inbox_consultants.id", ondelete="SET NULL"), nullable=True
    )
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_human_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_human_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_user_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    user_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    close_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # True while Rasa has not yet received the `resume` event for this closed ticket.
    resume_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # The conversation's municipality when the ticket opened (a file stem in
    # knowledge/municipalities/), so access checks are one WHERE (gateway.inbox.access).
    # None only on tickets older than migration tenancy_0001: they count as the deployment's
    # default municipality (WEGWIJS_MUNICIPALITY).
    municipality: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)

    assignee: Mapped[Consultant | None] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketEvent.id"
    )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class TicketEvent(Base):
    """Every state change and thread message of a ticket, with its time and who did it.

    `actor` is "user", "bot", "system" or "consultant:<id>". Message events carry
    `{"message_id": ...}`; the text itself stays in the `messages` table (stored once).
    """

    __tablename__ = "inbox_ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(Integer, ForeignKey("inbox_tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class Note(Base):
    """An internal note on a ticket: only consultants see it, never the user."""

    __tablename__ = "inbox_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(Integer, ForeignKey("inbox_tickets.id", ondelete="CASCADE"), index=True)
    consultant_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("inbox_consultants.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[Consultant | None] = relationship()


class ConsultantTotp(Base):
    """A consultant's TOTP secret (RFC 6238, 30-second steps) for two-step login.

    Enrolled with `python -m gateway.inbox enable-totp`, active once `confirm-totp` saw a valid code.
    `last_step` is the time step of the last accepted code: a code works only once.
    """

    __tablename__ = "inbox_consultant_totp"

    consultant_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("inbox_consultants.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @property
    def enabled(self) -> bool:
        return self.confirmed_at is not None


class LoginFailure(Base):
    """Failed inbox logins per account or client address, for the back-off (`gateway.inbox.throttle`).

    `key` is a SHA-256 of "account:<e-mail>" or "ip:<address>": neither is stored in plain text.
    """

    __tablename__ = "inbox_login_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Team(Base):
    """A team of regievoerders (often a regional service) serving one or more municipalities.

    A consultant sees and acts only on the tickets, cases, statistics and notes of the
    municipalities of their teams (`gateway.inbox.access`). `notify_emails` (comma-separated)
    and `webhook_url` receive the notifications of new tickets of the team's municipalities;
    without them the deployment's own settings (WEGWIJS_SMTP_TO, WEGWIJS_HANDOFF_WEBHOOK_URL) do.
    """

    __tablename__ = "inbox_teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    notify_emails: Mapped[str | None] = mapped_column(Text, nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    municipalities: Mapped[list[TeamMunicipality]] = relationship(
        cascade="all, delete-orphan", order_by="TeamMunicipality.municipality"
    )
    members: Mapped[list[ConsultantTeam]] = relationship(cascade="all, delete-orphan")

    @property
    def municipality_codes(self) -> tuple[str, ...]:
        return tuple(row.municipality for row in self.municipalities)

    @property
    def recipients(self) -> list[str]:
        return [address.strip() for address in (self.notify_emails or "").split(",") if address.strip()]


class TeamMunicipality(Base):
    """A municipality (file stem in knowledge/municipalities/) served by a team."""

    __tablename__ = "inbox_team_municipalities"

    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("inbox_teams.id", ondelete="CASCADE"), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ConsultantTeam(Base):
    """Membership of a consultant in a team."""

    __tablename__ = "inbox_consultant_teams"

    consultant_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("inbox_consultants.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("inbox_teams.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    consultant: Mapped[Consultant] = relationship()
