"""Keep personal data out of log lines: one implementation for the gateway, the Rasa engine and
the action server (standard library only; Rasa is touched only when it is already loaded).

- `scrub(text)` masks BSN, IBAN, phone numbers and e-mail addresses (`redaction.text`),
  replaces raw user identifiers (`user_id=…`, `sender_id=…`, `chat_id=…`, Rasa's
  "for sender 'abc'") by a short hash, hides `token=` values in URLs and the value in Rasa's
  "categorical slot is set to a value ('…')" warning.
- `redact_event(event)` does the same for a structured event, such as Rasa's structlog event
  dicts: message bodies (`text`, `message`, `slot_values`, `tracker_latest_message`, …) are
  replaced by their size ("[text: 42 chars]"), identifiers by their hash, and exception frames
  lose their local variables (structlog's JSON tracebacks list every frame's locals, which hold
  the user's message).
- `RedactingFilter` applies both to a `logging` record. A message that is a JSON object (how Rasa
  renders its structlog events when the output is not a terminal) is redacted as an event.
- `rasa_filter()` is the filter factory of bot/logging.yml: it also makes Rasa's structlog
  pipeline redact each event before it is rendered, and routes Python warnings through logging.

    >>> scrub("sender_id=abc mail a@b.nl")
    'sender_id=ba7816bf8f01 mail [EMAIL]'
    >>> redact_event({"event": "rest.message.received.timeout", "text": "Ik ben Jan"})
    {'event': 'rest.message.received.timeout', 'text': '[text: 10 chars]'}
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import traceback
from typing import Any

from redaction.text import redact

#: Keys whose values identify a user: logged as a short hash.
ID_KEYS = ("user_id", "channel_user_id", "sender_id", "chat_id", "wa_id", "phone", "from_number", "recipient_id",
           "conversation_id", "conversation")

#: Keys of structured events whose values are (or contain) what a user wrote or what the bot knows
#: about them: logged as their size only. Rasa 3.6's own list (rasa/utils/log_utils.py
#: `_anonymizer`) plus the names Rasa and rasa-sdk use for trackers, slots and request bodies.
BODY_KEYS = frozenset({
    # rasa.utils.log_utils._anonymizer
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message",
    # more of the same
    "metadata", "parse_data", "latest_message", "tracker", "events", "slots", "value", "values",
    "entities", "body", "request_body", "json", "payload", "utterance", "input_channel_metadata",
})

_ID_PAIR = re.compile(r"\b(" + "|".join(ID_KEYS) + r")([=:]\s?)([\"']?)([^\s,;\"')]+)")
_SENDER_QUOTED = re.compile(r"\b(sender(?:_id)?\s+)(['\"])([^'\"]+)\2")
_TOKEN = re.compile(r"([?&](?:token|auth_token|access_token)=)[^&\s'\"]+")
_SLOT_VALUE = re.compile(r"(is set to a value \(')(.*?)('\))", re.S)
_HASHED = re.compile(r"[0-9a-f]{12}")
_SUMMARY = re.compile(r"\[(?:text: \d+ chars|\d+ (?:keys|items|bytes)|redacted)\]")
#: Shorter bodies ("ja", "ok") are not searched for in the rest of an event.
MIN_ECHO_LENGTH = 4


def hash_id(value: str) -> str:
    """A short, stable SHA-256 fingerprint of an identifier (user id, phone number) for logs."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


def _hash_unless_hashed(value: str) -> str:
    return value if _HASHED.fullmatch(value) or value.startswith("[") else hash_id(value)


def summarize(value: Any) -> Any:
    """What a log may say about a message body: its size, never its content (idempotent)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if _SUMMARY.fullmatch(value) else f"[text: {len(value)} chars]"
    if isinstance(value, dict):
        return f"[{len(value)} keys]"
    if isinstance(value, (list, tuple, set, frozenset)):
        return f"[{len(value)} items]"
    return "[redacted]"


def _hash_ids(text: str) -> str:
    def pair(match: re.Match[str]) -> str:
        key, sep, quote, value = match.groups()
        return f"{key}{sep}{quote}{_hash_unless_hashed(value)}"

    def quoted(match: re.Match[str]) -> str:
        prefix, quote, value = match.groups()
        return f"{prefix}{quote}{_hash_unless_hashed(value)}{quote}"

    return _SENDER_QUOTED.sub(quoted, _ID_PAIR.sub(pair, text))


def scrub(text: str) -> str:
    """Mask personal data (and URL tokens) in one free-text log message."""
    text = _TOKEN.sub(r"\1[TOKEN]", text)
    text = _SLOT_VALUE.sub(lambda m: f"{m.group(1)}{summarize(m.group(2))}{m.group(3)}", text)
    return redact(_hash_ids(text))


def _collect_bodies(value: Any, key: Any, found: set[str]) -> None:
    if key in BODY_KEYS and isinstance(value, str):
        if len(value) >= MIN_ECHO_LENGTH and not _SUMMARY.fullmatch(value):
            found.add(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _collect_bodies(v, k, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect_bodies(item, key, found)


def _bodies(event: dict[Any, Any]) -> list[str]:
    """The strings held directly under a BODY_KEYS key anywhere in `event`, longest first."""
    found: set[str] = set()
    _collect_bodies(event, None, found)
    return sorted(found, key=len, reverse=True)


def _mask_echoes(text: str, bodies: list[str]) -> str:
    """`text` with every copy of a body replaced by its size (e.g. an exception quoting the message)."""
    for body in bodies:
        if body in text:
            text = text.replace(body, summarize(body))
    return text


def _redact_value(key: Any, value: Any, bodies: list[str]) -> Any:
    if key in BODY_KEYS:
        return summarize(value)
    if key in ID_KEYS and isinstance(value, (str, int)) and not isinstance(value, bool):
        return _hash_unless_hashed(str(value))
    if isinstance(value, dict):
        return {k: _redact_value(k, v, bodies) for k, v in value.items() if k != "locals"}
    if isinstance(value, (list, tuple)):
        return [_redact_value(None, item, bodies) for item in value]
    if isinstance(value, str):
        return scrub(_mask_echoes(value, bodies))
    if isinstance(value, (bytes, bytearray)):
        return f"[{len(value)} bytes]"
    return value


def redact_event(event: dict[Any, Any], bodies: list[str] | None = None) -> dict[Any, Any]:
    """A copy of a structured log event without message bodies, raw ids, PII or frame locals.

    A body that is echoed elsewhere in the event (an exception message quoting the user's text)
    is replaced there by its size as well.
    """
    bodies = _bodies(event) if bodies is None else bodies
    return {key: _redact_value(key, value, bodies) for key, value in event.items() if key != "locals"}


def redact_message(message: str) -> str:
    """A log message with personal data masked; a JSON object message is redacted as an event."""
    stripped = message.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            event = json.loads(stripped)
        except ValueError:
            event = None
        if isinstance(event, dict):
            return json.dumps(redact_event(event), ensure_ascii=False, default=str)
    return scrub(message)


def _exc_tuple(exc_info: Any) -> tuple | None:
    if isinstance(exc_info, BaseException):
        return type(exc_info), exc_info, exc_info.__traceback__
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        return exc_info if exc_info[0] is not None else None
    if exc_info:
        current = sys.exc_info()
        return current if current[0] is not None else None
    return None


def structlog_processor(logger: Any, method_name: str, event_dict: dict[Any, Any]) -> dict[Any, Any]:
    """A structlog processor: `redact_event`, and an exception becomes a scrubbed plain traceback.

    structlog would otherwise render the exception itself (Rasa's JSON output lists every frame's
    local variables, e.g. the `text` of the REST channel's handler), after this processor ran.
    """
    exc = _exc_tuple(event_dict.pop("exc_info", True if method_name == "exception" else None))
    bodies = _bodies(event_dict)
    event = redact_event(event_dict, bodies)
    if exc is not None:
        formatted = "".join(traceback.format_exception(*exc)).rstrip()
        event["exception"] = scrub(_mask_echoes(formatted, bodies))
    if method_name == "exception":
        event["exc_info"] = False  # rendered above; keeps structlog's set_exc_info from adding it back
    return event


class RedactingFilter(logging.Filter):
    """Masks personal data in a record's message, exception text, stack, id-like extras and URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logged as it is
            message = str(record.msg)
        record.msg = redact_message(message)
        record.args = None
        for key in ID_KEYS:
            value = getattr(record, key, None)
            if isinstance(value, (str, int)) and not _HASHED.fullmatch(str(value)):
                setattr(record, key, hash_id(str(value)))
        if isinstance(getattr(record, "request", None), str):  # Sanic's access log: method and URL
            record.request = scrub(record.request)  # type: ignore[attr-defined]
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def install_structlog_processor() -> bool:
    """Put `structlog_processor` first in the structlog pipeline Rasa is about to configure.

    Rasa 3.6 runs `configure_structlog()` after it applied `--logging-config-file`; that function
    builds its processor list starting with the module-level `_anonymizer` (Rasa's hook for
    anonymising event dicts before they are rendered), so wrapping that name is enough. False when
    Rasa is not loaded (the action server) or has no such hook.
    """
    if "rasa" not in sys.modules:
        return False
    try:
        from rasa.utils import log_utils
    except ImportError:
        return False
    original = getattr(log_utils, "_anonymizer", None)
    if original is None:
        return False
    if getattr(original, "wegwijs_redacts", False):
        return True

    def anonymizer(logger: Any, method_name: str, event_dict: dict[Any, Any]) -> dict[Any, Any]:
        return structlog_processor(logger, method_name, original(logger, method_name, event_dict))

    anonymizer.wegwijs_redacts = True  # type: ignore[attr-defined]
    log_utils._anonymizer = anonymizer
    return True


def rasa_filter() -> RedactingFilter:
    """The `()` factory bot/logging.yml names for the engine and the action server."""
    install_structlog_processor()
    logging.captureWarnings(True)  # Rasa's warnings (e.g. a slot value) then pass the filter too
    return RedactingFilter()
