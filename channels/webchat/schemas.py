"""Request and response bodies of the web chat API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from channels.core.schemas import MessagePublic

MAX_TEXT_CHARS = 2000
SessionId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="Per-browser random id")]


class WebchatMessageCreate(BaseModel):
    session_id: SessionId
    text: str = Field(description=f"The message, or a button payload (1-{MAX_TEXT_CHARS} characters)")
    title: str | None = Field(None, max_length=200, description="Button title shown when `text` is a payload")
    client_message_id: str | None = Field(
        None, max_length=64, description="Optional id to drop retried sends"
    )

    @field_validator("text")
    @classmethod
    def _text_length(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("text is empty: type a message first")
        if len(value) > MAX_TEXT_CHARS:
            raise ValueError(
                f"text is longer than {MAX_TEXT_CHARS} characters: please send a shorter message"
            )
        return value


class MessagesPublic(BaseModel):
    messages: list[MessagePublic]
