"""Message shapes shared by every channel (pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from gateway.core.models import Message

Language = Literal["nl", "en"]
OutgoingSender = Literal["bot", "consultant", "system"]


class Button(BaseModel):
    title: str
    payload: str


class MessageBase(BaseModel):
    text: str | None = None
    buttons: list[Button] = Field(default_factory=list)
    image_url: str | None = None
    document_url: str | None = None
    document_name: str | None = None


class OutgoingMessage(MessageBase):
    """One message to show the user. `id` is set once it is stored.

    `data` is internal (stored in the message payload, never sent to a client), e.g. the
    deadline input behind a timeline image.
    """

    id: int | None = None
    sender: OutgoingSender = "bot"
    data: dict[str, Any] | None = Field(default=None, exclude=True)

    def to_payload(self) -> dict[str, Any] | None:
        payload: dict[str, Any] = {}
        if self.buttons:
            payload["buttons"] = [b.model_dump() for b in self.buttons]
        for key in ("image_url", "document_url", "document_name"):
            if getattr(self, key):
                payload[key] = getattr(self, key)
        if self.data:
            payload["data"] = self.data
        return payload or None


class MessagePublic(MessageBase):
    """A stored message as clients see it (both directions)."""

    id: int
    direction: Literal["in", "out"]
    sender: Literal["user", "bot", "consultant", "system"]
    created_at: datetime

    @classmethod
    def from_row(cls, row: Message) -> MessagePublic:
        payload = row.payload or {}
        return cls(
            id=row.id,
            direction=row.direction,  # type: ignore[arg-type]
            sender=row.sender,  # type: ignore[arg-type]
            created_at=row.created_at,
            text=payload.get("display_text") or row.text,
            buttons=[Button(**b) for b in payload.get("buttons", [])],
            image_url=payload.get("image_url"),
            document_url=payload.get("document_url"),
            document_name=payload.get("document_name"),
        )


def outgoing_from_row(row: Message) -> OutgoingMessage:
    public = MessagePublic.from_row(row)
    return OutgoingMessage(
        id=row.id,
        sender=row.sender,  # type: ignore[arg-type]
        data=(row.payload or {}).get("data"),
        **public.model_dump(include={"text", "buttons", "image_url", "document_url", "document_name"}),
    )
