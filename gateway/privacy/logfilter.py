"""A logging filter that keeps personal data out of every log line.

It formats the record's message, masks BSN, IBAN, phone numbers and e-mail addresses, and
replaces raw user identifiers (`user_id=…`, `chat_id=…`, `wa_id=…`, `sender_id=…`, `phone=…`,
and the same names given as `extra=`) by their short hash. Exception texts are masked too.
The filter itself is `redaction.logs.RedactingFilter`, shared with the Rasa engine and the
action server (bot/logging.yml); this module installs it on the gateway's loggers.
"""

from __future__ import annotations

import logging

from redaction.logs import ID_KEYS, RedactingFilter, scrub

__all__ = ["ID_KEYS", "LOGGERS", "RedactingFilter", "install_log_redaction", "scrub"]

LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "telegram", "apscheduler")


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
