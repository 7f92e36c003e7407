"""Database operations on conversations and messages (keyword-only, one session each).

The per-turn hot path (`conversation_key`, `touch_conversation`, `insert_messages`,
`public_message_rows`) and the web chat's poll (`public_messages_of_user`) run Core statements
that are built once, with bound parameters: no ORM objects, no unit-of-work flush, and no
statement building or cache-key computation per call. The ORM functions serve everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.core.models import Conversation, Message, utcnow

CONVERSATIONS = cast(Table, Conversation.__table__)
MESSAGES = cast(Table, Message.__table__)
# Every column a client sees of a stored message (see schemas.MessagePublic.from_row).
PUBLIC_COLUMNS = (MESSAGES.c.id, MESSAGES.c.direction, MESSAGES.c.sender, MESSAGES.c.created_at,
                  MESSAGES.c.text, MESSAGES.c.payload)

_CONVERSATION_KEY = select(CONVERSATIONS.c.id, CONVERSATIONS.c.language, CONVERSATIONS.c.municipality).where(
    CONVERSATIONS.c.channel == bindparam("channel"), CONVERSATIONS.c.channel_user_id == bindparam("user")
)
_TOUCH = update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("conversation_id"))
_TOUCH_TIME = _TOUCH.values(last_user_message_at=bindparam("at"))
_TOUCH_TIME_LANGUAGE = _TOUCH.values(last_user_message_at=bindparam("at"), language=bindparam("language"))
_SET_MUNICIPALITY = _TOUCH.values(municipality=bindparam("municipality"))
_INSERT_MESSAGES = insert(MESSAGES).returning(MESSAGES.c.id, sort_by_parameter_order=True)
_MESSAGES_BY_ID = (
    select(*PUBLIC_COLUMNS).where(MESSAGES.c.id.in_(bindparam("ids", expanding=True))).order_by(MESSAGES.c.id)
)
_MESSAGES_OF_USER = (
    select(*PUBLIC_COLUMNS)
    .join(CONVERSATIONS, CONVERSATIONS.c.id == MESSAGES.c.conversation_id)
    .where(
        CONVERSATIONS.c.channel == bindparam("channel"),
        CONVERSATIONS.c.channel_user_id == bindparam("user"),
        MESSAGES.c.id > bindparam("after"),
    )
    .order_by(MESSAGES.c.id)
    .limit(bindparam("limit"))
)


def get_conversation(*, session: Session, conversation_id: str) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def find_conversation(*, session: Session, channel: str, channel_user_id: str) -> Conversation | None:
    statement = select(Conversation).where(
        Conversation.channel == channel, Conversation.channel_user_id == channel_user_id
    )
    return session.scalars(statement).one_or_none()


def get_or_create_conversation(*, session: Session, channel: str, channel_user_id: str) -> Conversation:
    """Return the conversation of this channel user, creating (and committing) it if needed."""
    conversation = find_conversation(session=session, channel=channel, channel_user_id=channel_user_id)
    if conversation is not None:
        return conversation
    conversation = Conversation(channel=channel, channel_user_id=channel_user_id, language="nl")
    session.add(conversation)
    try:
        session.commit()
    except IntegrityError:  # created concurrently by another request
        session.rollback()
        conversation = find_conversation(session=session, channel=channel, channel_user_id=channel_user_id)
        assert conversation is not None
    return conversation


def conversation_key(
    *, session: Session, channel: str, channel_user_id: str
) -> tuple[str, str, str | None] | None:
    """`(id, language, municipality)` of the channel user's conversation, or None (a Core read)."""
    row = session.execute(_CONVERSATION_KEY, {"channel": channel, "user": channel_user_id}).first()
    return (row[0], row[1], row[2]) if row is not None else None


def set_municipality(*, session: Session, conversation_id: str, municipality: str) -> None:
    """The conversation belongs to `municipality` (gateway/core/tenancy.py), without committing."""
    session.execute(_SET_MUNICIPALITY, {"conversation_id": conversation_id, "municipality": municipality})


def recent_payloads(
    *, session: Session, conversation_id: str, limit: int, direction: str = "out"
) -> list[dict[str, Any] | None]:
    """Payloads of the conversation's latest messages of one direction, newest first."""
    statement = (
        select(Message.payload)
        .where(Message.conversation_id == conversation_id, Message.direction == direction)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def touch_conversation(
    *, session: Session, conversation_id: str, last_user_message_at: datetime, language: str | None = None
) -> None:
    """Set the time of the user's latest message (and the language when given), without committing."""
    params: dict[str, Any] = {"conversation_id": conversation_id, "at": last_user_message_at}
    if language is None:
        session.execute(_TOUCH_TIME, params)
    else:
        session.execute(_TOUCH_TIME_LANGUAGE, {**params, "language": language})


def insert_messages(*, session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert messages (dicts of `messages` columns; `created_at` defaults to now) without committing.

    Returns their ids in the order of `rows`, and the ids are assigned in that order, so they
    follow the order in which the messages are shown (`sort_by_parameter_order`: SQLAlchemy
    guarantees it on SQLite and PostgreSQL alike, batching where the database allows).
    """
    if not rows:
        return []
    defaults = {"text": None, "payload": None, "platform_message_id": None}
    params = [{**defaults, "created_at": utcnow(), **row} for row in rows]
    if len(params) == 1:  # one row: a plain INSERT ... RETURNING
        return [session.execute(_INSERT_MESSAGES, params[0]).scalar_one()]
    return list(session.execute(_INSERT_MESSAGES, params).scalars())


def public_message_rows(*, session: Session, ids: Sequence[int]) -> list[Row[Any]]:
    """The client-visible columns of these messages, in id order."""
    if not ids:
        return []
    return list(session.execute(_MESSAGES_BY_ID, {"ids": list(ids)}))


def max_id(session: Session) -> int:
    """The largest message id the database can hold: SQLite's INTEGER is 64-bit, PostgreSQL's 32-bit."""
    return 2**63 - 1 if session.get_bind().dialect.name == "sqlite" else 2**31 - 1


def public_messages_of_user(
    *, session: Session, channel: str, channel_user_id: str, after: int = 0, limit: int = 100
) -> list[Row[Any]]:
    """The client-visible columns of a channel user's messages with an id above `after`, oldest first."""
    if after >= max_id(session):  # no id can be above it (and the number would not fit the column)
        return []
    params = {"channel": channel, "user": channel_user_id, "after": after, "limit": limit}
    return list(session.execute(_MESSAGES_OF_USER, params))


def has_platform_message(*, session: Session, conversation_id: str, platform_message_id: str) -> bool:
    statement = select(Message.id).where(
        Message.conversation_id == conversation_id,
        Message.platform_message_id == platform_message_id,
    )
    return session.scalars(statement).first() is not None


def add_message(
    *,
    session: Session,
    conversation_id: str,
    direction: str,
    sender: str,
    text: str | None,
    payload: dict[str, Any] | None = None,
    platform_message_id: str | None = None,
    created_at: datetime | None = None,
) -> Message:
    message = Message(
        conversation_id=conversation_id,
        direction=direction,
        sender=sender,
        text=text,
        payload=payload,
        platform_message_id=platform_message_id,
        created_at=created_at or utcnow(),
    )
    session.add(message)
    session.flush()
    return message


def list_messages(
    *, session: Session, conversation_id: str, after: int = 0, limit: int = 100
) -> list[Message]:
    """Messages of a conversation with an id above `after`, oldest first."""
    statement = (
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id > after)
        .order_by(Message.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def recent_button_dicts(*, session: Session, channel: str, channel_user_id: str, limit: int) -> list[dict[str, Any]]:
    """Buttons of the user's latest outgoing messages, newest first (to resolve short button keys)."""
    statement = (
        select(Message.payload)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.channel == channel,
            Conversation.channel_user_id == channel_user_id,
            Message.direction == "out",
        )
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return [button for payload in session.scalars(statement) if payload for button in payload.get("buttons", [])]


def recent_buttons_of_conversation(*, session: Session, conversation_id: str, limit: int) -> list[dict[str, Any]]:
    """Buttons (title, payload) of the conversation's latest `limit` outgoing messages, newest first:
    what the bot recently offered, against which a button press (payload and title) is checked."""
    statement = (
        select(MESSAGES.c.payload)
        .where(MESSAGES.c.conversation_id == conversation_id, MESSAGES.c.direction == "out")
        .order_by(MESSAGES.c.id.desc())
        .limit(limit)
    )
    return [
        button
        for payload in session.scalars(statement)
        if isinstance(payload, dict)
        for button in payload.get("buttons") or []
        if isinstance(button, dict)
    ]
