"""Back-off for the inbox login: per account and per client address, shared by every gateway
process (rows in `inbox_login_failures`, keyed by a hash, never the e-mail address or IP).

After `inbox_login_max_failures` wrong passwords or TOTP codes for one account (or
`inbox_login_ip_max_failures` from one address) logging in is refused for 1 minute, then 2, 4, …
up to `inbox_login_lockout_minutes`, with every further failure. While locked, attempts are
refused without checking the password and are not counted. A successful login clears the
account's count; counts are forgotten after `FORGET_AFTER` without a failure.

The client address is `request.client.host`: behind the reverse proxy that is the proxy's address
unless the server is started with trusted proxy headers, so the per-address limit then acts as a
brake on the inbox as a whole (the per-account limit still applies per account).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from gateway.core.config import Settings
from gateway.core.models import utcnow
from gateway.inbox.models import LoginFailure
from redaction.logs import hash_id

log = logging.getLogger(__name__)

FIRST_LOCK = timedelta(minutes=1)
FORGET_AFTER = timedelta(hours=1)

__all__ = ["Subject", "hash_id", "locked_until", "record_failure", "record_success", "subjects", "utcnow"]


@dataclass(frozen=True)
class Subject:
    kind: str  # "account" or "ip"
    raw: str
    limit: int

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.kind}:{self.raw}".encode()).hexdigest()


def subjects(settings: Settings, *, email: str, ip: str | None) -> list[Subject]:
    found = [Subject("account", email.strip().lower(), settings.inbox_login_max_failures)]
    if ip:
        found.append(Subject("ip", ip, settings.inbox_login_ip_max_failures))
    return found


def _fresh(row: LoginFailure | None, now: datetime) -> LoginFailure | None:
    return row if row is not None and row.last_at > now - FORGET_AFTER else None


def locked_until(session: Session, found: list[Subject]) -> datetime | None:
    """The latest end of a running lock over these subjects, or None."""
    now = utcnow()
    ends = [
        row.locked_until for s in found
        if (row := session.get(LoginFailure, s.key)) is not None and row.locked_until and row.locked_until > now
    ]
    return max(ends) if ends else None


def record_failure(session: Session, settings: Settings, found: list[Subject]) -> datetime | None:
    """Count a failure for every subject; returns the lock's end when one starts now."""
    now = utcnow()
    cap = timedelta(minutes=settings.inbox_login_lockout_minutes)
    started: list[datetime] = []
    for subject in found:
        row = session.get(LoginFailure, subject.key)
        if row is None:
            row = LoginFailure(key=subject.key, failures=0, last_at=now)
            session.add(row)
        elif _fresh(row, now) is None:
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_at = now
        over = row.failures - subject.limit
        if over >= 0:
            row.locked_until = now + min(FIRST_LOCK * (2 ** min(over, 20)), cap)
            started.append(row.locked_until)
            log.warning(
                "inbox login locked %s=%s failures=%d seconds=%d",
                subject.kind, hash_id(subject.raw), row.failures, (row.locked_until - now).total_seconds(),
            )
    session.flush()
    return max(started) if started else None


def record_success(session: Session, found: list[Subject]) -> None:
    """A good login clears its account's count (not the address's)."""
    for subject in found:
        if subject.kind == "account":
            row = session.get(LoginFailure, subject.key)
            if row is not None:
                session.delete(row)
