"""Shape tickets for the inbox pages and the JSON API (one place, so both show the same)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gateway.core.models import utcnow
from gateway.inbox import crud
from gateway.inbox.i18n import ui
from gateway.inbox.models import CLOSE_REASONS, DATA_DELETED, Ticket
from knowledge import languages

STATE_LABELS = {"waiting": ui("state_waiting"), "assigned": ui("state_assigned"), "closed": ui("state_closed")}
# Each language by its own name ("Türkçe", "العربية"), as the user knows it.
LANGUAGE_LABELS = {code: languages.name(code) for code in languages.CODES}
CHANNEL_LABELS = {"web": "Webchat", "telegram": "Telegram", "whatsapp": "WhatsApp"}
SENDER_LABELS = {sender: ui(f"sender_{sender}") for sender in ("user", "bot", "system", "consultant")}
EVENT_LABELS = {
    "created": ui("event_created"),
    "assigned": ui("event_assigned"),
    "closed": ui("state_closed"),
    "resumed": ui("event_resumed"),
    "resume_failed": ui("event_resume_failed"),
    "privacy_request": ui("event_privacy_request"),
    "data_deleted": ui("event_data_deleted"),
}


def close_reason_label(reason: str | None) -> str:
    if reason == DATA_DELETED:
        return ui("close_reason_data_deleted")
    return CLOSE_REASONS.get(reason or "", "")


def duration_label(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return ui("duration_under_minute")
    minutes = seconds // 60
    if minutes < 60:
        return ui("duration_minutes", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return ui("duration_hours", hours=hours, minutes=f"{minutes:02d}")
    days, hours = divmod(hours, 24)
    return ui("duration_days", days=days, hours=hours)


def local_label(moment: datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%d-%m-%Y %H:%M")


def waiting_seconds(ticket: Ticket, now: datetime) -> float:
    end = ticket.closed_at if ticket.state == "closed" and ticket.closed_at else now
    return (end - ticket.created_at).total_seconds()


def language_label(code: str) -> str:
    return LANGUAGE_LABELS.get(code, code)


def language_direction(code: str) -> str:
    return languages.direction(code) if code in LANGUAGE_LABELS else "ltr"


def municipality_name(code: str | None) -> str:
    """A municipality's own name ("Rivierdam") from its file; the code when it has none."""
    from knowledge.loader import municipalities

    if not code:
        return ""
    found = municipalities().get(code)
    return found.naam if found is not None else code


def municipality_labels(codes: Collection[str]) -> list[tuple[str, str]]:
    """(code, name) of each municipality, for choice lists."""
    return [(code, municipality_name(code)) for code in codes]


def spoken_labels(spoken: Collection[str]) -> str:
    return ", ".join(language_label(code) for code in spoken)


def ticket_summary(
    ticket: Ticket, names: dict[int, str], tz: ZoneInfo, now: datetime | None = None,
    spoken: Collection[str] | None = None,
) -> dict[str, Any]:
    """`spoken`: the languages of the consultant who looks; a ticket in another language gets
    `language_spoken` False and the label `language_marker` (empty when spoken or not known)."""
    now = now or utcnow()
    waited = waiting_seconds(ticket, now)
    is_spoken = True if spoken is None else ticket.language in spoken
    return {
        "id": ticket.id,
        "state": ticket.state,
        "state_label": STATE_LABELS.get(ticket.state, ticket.state),
        "reason": ticket.reason,
        "reason_label": crud.reason_label(ticket.reason),
        "language": ticket.language,
        "language_label": language_label(ticket.language),
        "language_dir": language_direction(ticket.language),
        "language_spoken": is_spoken,
        "language_marker": "" if is_spoken else ui("language_not_spoken"),
        "channel": ticket.channel,
        "channel_label": CHANNEL_LABELS.get(ticket.channel, ticket.channel),
        "municipality": ticket.municipality,
        "municipality_label": municipality_name(ticket.municipality),
        "summary": ticket.summary or "",
        "created_at": ticket.created_at.isoformat(),
        "created_label": local_label(ticket.created_at, tz),
        "waiting_seconds": int(waited),
        "waiting_label": duration_label(waited),
        "assigned_to": ticket.assigned_to,
        "assignee_name": names.get(ticket.assigned_to or -1, ""),
        "last_user_message_at": ticket.last_user_message_at.isoformat() if ticket.last_user_message_at else None,
        "unanswered": bool(
            ticket.state != "closed"
            and ticket.last_user_message_at is not None
            and (ticket.last_human_reply_at is None or ticket.last_user_message_at > ticket.last_human_reply_at)
        ),
        "url": f"/inbox/tickets/{ticket.id}",
    }


def ticket_detail(
    session: Session, ticket: Ticket, tz: ZoneInfo, spoken: Collection[str] | None = None
) -> dict[str, Any]:
    names = crud.consultant_names(session=session)
    detail = ticket_summary(ticket, names, tz, spoken=spoken)
    detail.update(
        {
            "language_help": "" if detail["language_spoken"] else ui(
                "language_not_spoken_help", language=detail["language_label"], mine=spoken_labels(spoken or ())
            ),
            "slots": ticket.slots or {},
            "slot_rows": [
                (key.replace("_", " "), ", ".join(map(str, value)) if isinstance(value, list) else str(value))
                for key, value in (ticket.slots or {}).items()
            ],
            "consent_at": ticket.consent_at.isoformat() if ticket.consent_at else None,
            "consent_label": local_label(ticket.consent_at, tz),
            "assigned_label": local_label(ticket.assigned_at, tz),
            "first_human_reply_label": local_label(ticket.first_human_reply_at, tz),
            "closed_label": local_label(ticket.closed_at, tz),
            "close_reason": ticket.close_reason,
            "close_reason_label": close_reason_label(ticket.close_reason),
            "resume_pending": ticket.resume_pending,
            "timeline": timeline(session, ticket, names, tz),
        }
    )
    return detail


def _actor_label(actor: str, names: dict[int, str]) -> str:
    if actor.startswith("consultant:"):
        try:
            return names.get(int(actor.split(":", 1)[1]), SENDER_LABELS["consultant"])
        except ValueError:
            return SENDER_LABELS["consultant"]
    return SENDER_LABELS.get(actor, actor)


def timeline(session: Session, ticket: Ticket, names: dict[int, str], tz: ZoneInfo) -> list[dict[str, Any]]:
    """Messages, notes and state changes of the ticket in time order."""
    authors = {
        e.data.get("message_id"): e.actor for e in ticket.events if e.kind == "message" and e.data.get("direction") == "out"
    }
    items: list[tuple[datetime, int, dict[str, Any]]] = []
    for message in crud.transcript(session=session, ticket=ticket):
        payload = message.payload or {}
        who = SENDER_LABELS.get(message.sender, message.sender)
        if message.sender == "consultant" and message.id in authors:
            who = _actor_label(authors[message.id], names)
        text = payload.get("display_text") or message.text or ""
        if not text and payload.get("image_url"):
            text = f"[{ui('message_image')}]"
        if not text and payload.get("document_url"):
            text = f"[{ui('message_document')}]"
        items.append(
            (message.created_at, 0, {
                "type": "message", "key": f"m{message.id}", "sender": message.sender,
                "direction": message.direction, "who": who, "text": text,
                "at": message.created_at.isoformat(), "at_label": local_label(message.created_at, tz),
            })
        )
    for note in crud.notes(session=session, ticket=ticket):
        items.append(
            (note.created_at, 1, {
                "type": "note", "key": f"n{note.id}", "who": note.author.name if note.author else SENDER_LABELS["consultant"],
                "text": note.text, "at": note.created_at.isoformat(), "at_label": local_label(note.created_at, tz),
            })
        )
    for event in ticket.events:
        if event.kind not in EVENT_LABELS:
            continue
        label = EVENT_LABELS[event.kind]
        if event.kind == "closed":
            label = f"{label}: {close_reason_label(event.data.get('reason', ''))}"
        items.append(
            (event.at, 2, {
                "type": "event", "key": f"e{event.id}", "who": _actor_label(event.actor, names), "text": label,
                "kind": event.kind, "at": event.at.isoformat(), "at_label": local_label(event.at, tz),
            })
        )
    items.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in items]
