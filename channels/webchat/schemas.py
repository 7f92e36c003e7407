"""Request and response bodies of the web chat API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from gateway.core.schemas import MessagePublic
from knowledge import languages

MAX_TEXT_CHARS = 2000
SessionId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="Per-browser random id")]
# one of the languages Wegwijs speaks (knowledge/languages.yml): nl, en, tr, ar, pt
Language = Literal[languages.CODES]  # type: ignore[valid-type]


class WebchatMessageCreate(BaseModel):
    session_id: SessionId
    text: str = Field(description=f"The message, or a button payload (1-{MAX_TEXT_CHARS} characters)")
    title: str | None = Field(None, max_length=200, description="Button title shown when `text` is a payload")
    client_message_id: str | None = Field(
        None, max_length=64, description="Optional id to drop retried sends"
    )
    municipality: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="The municipality of the page (its web chat slug or id, `data-municipality` of the "
        "embedded widget); a new conversation belongs to it. Unset: the deployment's default",
    )
    lang: Language | None = Field(  # type: ignore[valid-type]
        None,
        description="The language the user chose in the page's menu; the assistant answers in it "
        f"from this message on ({', '.join(languages.CODES)})",
    )

    @field_validator("text")
    @classmethod
    def _text_length(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("text is empty: type a message first")
        return value  # the length limit is the setting WEGWIJS_WEBCHAT_MAX_CHARS: see check_length


def check_length(text: str, max_chars: int) -> None:
    """Refuse a text over `max_chars` (the setting `webchat_max_chars`) as a 422 on body.text."""
    if len(text) > max_chars:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError([{
            "type": "value_error", "loc": ("body", "text"), "input": None,
            "msg": f"Value error, text is longer than {max_chars} characters: please send a shorter message",
        }])


class MessagesPublic(BaseModel):
    messages: list[MessagePublic]
    language: Language | None = Field(  # type: ignore[valid-type]
        None,
        description="The conversation's language after this request: a typed switch (\"Türkçe\", "
        "\"English\"...) changes it, and the page follows. Absent when there is no new message.",
    )
