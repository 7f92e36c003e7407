"""Database operations on conversations and messages (keyword-only, one session each)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels.core.models import Conversation, Message, utcnow


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
