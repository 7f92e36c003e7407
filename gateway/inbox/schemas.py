"""Response bodies of the inbox JSON API (`/inbox/api/...`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

TicketState = Literal["waiting", "assigned", "closed"]


class TicketPublic(BaseModel):
    """A ticket as the queue shows it."""

    id: int
    state: TicketState
    state_label: str
    reason: str
    reason_label: str
    language: str
    language_label: str
    language_dir: Literal["ltr", "rtl"]
    language_spoken: bool
    language_marker: str
    channel: str
    channel_label: str
    municipality: str | None = None
    municipality_label: str = ""
    summary: str
    created_at: str
    created_label: str
    waiting_seconds: int
    waiting_label: str
    assigned_to: int | None
    assignee_name: str
    last_user_message_at: str | None
    unanswered: bool
    url: str


class TicketCounts(BaseModel):
    waiting: int
    mine: int
    open: int


class TicketsPublic(BaseModel):
    view: str
    language: str
    reason: str
    my_languages: bool
    spoken: list[str]
    counts: TicketCounts
    tickets: list[TicketPublic]


class TimelineItem(BaseModel):
    type: Literal["message", "note", "event"]
    key: str
    who: str
    text: str
    at: str
    at_label: str
    sender: str | None = None
    direction: str | None = None
    kind: str | None = None


class TicketDetailPublic(TicketPublic):
    language_help: str
    slots: dict[str, object]
    slot_rows: list[tuple[str, str]]
    consent_at: str | None
    consent_label: str
    assigned_label: str
    first_human_reply_label: str
    closed_label: str
    close_reason: str | None
    close_reason_label: str
    resume_pending: bool
    timeline: list[TimelineItem]


class ActionResult(BaseModel):
    ok: bool
    id: int | None = None
