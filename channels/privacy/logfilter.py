"""A logging filter that keeps personal data out of every log line.

It formats the record's message, masks BSN, IBAN, phone numbers and e-mail addresses, and
replaces raw user identifiers (`user_id=…`, `chat_id=…`, `wa_id=…`, `sender_id=…`, `phone=…`,
and the same names given as `extra=`) by their short hash. Exception texts are masked too.
"""

from __future__ import annotations

import logging
import re

from channels.core.privacy import hash_id
from channels.privacy.redact import redact

ID_KEYS = ("user_id", "channel_user_id", "sender_id", "chat_id", "wa_id", "phone", "from_number", "recipient_id")
_ID_PAIR = re.compile(r"\b(" + "|".join(ID_KEYS) + r")([=:]\s?)([\"']?)([^\s,;\"')]+)")
_HASHED = re.compile(r"[0-9a-f]{12}")
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "telegram", "apscheduler")


def _hash_ids(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        key, sep, quote, value = match.groups()
        if _HASHED.fullmatch(value) or value.startswith("["):
            return match.group(0)
        return f"{key}{sep}{quote}{hash_id(value)}"

    return _ID_PAIR.sub(replace, text)


def scrub(text: str) -> str:
    """Mask personal data in one log text."""
    return redact(_hash_ids(text))


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logged as it is
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        for key in ID_KEYS:
            value = getattr(record, key, None)
            if isinstance(value, (str, int)) and not _HASHED.fullmatch(str(value)):
                setattr(record, key, hash_id(str(value)))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction() -> RedactingFilter:
    """Install the filter on the root logger, its handlers, and the handlers of known library loggers.

    (A filter on a logger only sees records logged on that logger itself; a filter on a handler
    sees every record that reaches it, so both are needed.) Idempotent.
    """
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    return _FILTER
