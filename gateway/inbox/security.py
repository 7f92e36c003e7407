"""Consultant passwords (argon2), login sessions and CSRF tokens.

The browser gets Starlette's signed session cookie (httponly, samesite=lax, path /inbox) that
holds two random values: `sid`, the key of a server-side `ConsultantSession` row, and `csrf`,
the token every POST must echo (form field `csrf_token` or header `X-CSRF-Token`).

A session ends `inbox_session_hours` after login at the latest, and earlier after
`inbox_idle_minutes` without activity: `expires_at` is the idle deadline, moved on by every
request except the pages' background refresh (header `X-Wegwijs-Poll: 1`).

Two-step login (optional per consultant): a TOTP code (RFC 6238, pyotp) after the password,
each code accepted once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gateway.core.models import utcnow
from gateway.inbox.models import (
    DEFAULT_LANGUAGES,
    Consultant,
    ConsultantSession,
    ConsultantTotp,
    parse_languages,
)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_COOKIE = "wegwijs_inbox"
POLL_HEADER = "X-Wegwijs-Poll"
TOTP_ISSUER = "Wegwijs inbox"
TOUCH_AFTER = timedelta(seconds=30)  # move the idle deadline at most this often (fewer writes)

_hasher = PasswordHasher()
# Verifying against this keeps the time of "unknown e-mail" equal to "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def authenticate(*, session: Session, email: str, password: str) -> Consultant | None:
    consultant = session.scalars(
        select(Consultant).where(Consultant.email == email.strip().lower())
    ).one_or_none()
    if consultant is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(consultant.password_hash, password) or not consultant.active:
        return None
    if _hasher.check_needs_rehash(consultant.password_hash):
        consultant.password_hash = hash_password(password)
    return consultant


def open_session(*, session: Session, consultant: Consultant, hours: int, idle_minutes: int | None = None) -> str:
    """Create a login session and return its token (goes into the signed cookie)."""
    token = new_token()
    now = utcnow()
    session.execute(delete(ConsultantSession).where(ConsultantSession.expires_at < now))
    lifetime = timedelta(hours=hours)
    if idle_minutes:
        lifetime = min(lifetime, timedelta(minutes=idle_minutes))
    session.add(
        ConsultantSession(
            token_hash=token_hash(token),
            consultant_id=consultant.id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def consultant_for_token(
    *, session: Session, token: str | None, hours: int | None = None, idle_minutes: int | None = None,
    touch: bool = False,
) -> Consultant | None:
    """The session's consultant, or None when it ended (logout, idle, too old, deactivated).

    With `touch` (a request by the consultant, not a background refresh) the idle deadline moves
    to now + `idle_minutes`, never past `created_at` + `hours`. The caller commits.
    """
    if not token:
        return None
    row = session.get(ConsultantSession, token_hash(token))
    now = utcnow()
    if row is None or row.expires_at <= now or not row.consultant.active:
        return None
    if hours is not None and row.created_at + timedelta(hours=hours) <= now:
        return None
    if touch and idle_minutes:
        deadline = now + timedelta(minutes=idle_minutes)
        if hours is not None:
            deadline = min(deadline, row.created_at + timedelta(hours=hours))
        if deadline - row.expires_at >= TOUCH_AFTER:
            row.expires_at = deadline
    return row.consultant


def close_session(*, session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsultantSession).where(ConsultantSession.token_hash == token_hash(token)))


def create_consultant(
    *, session: Session, email: str, name: str, password: str, languages: str = DEFAULT_LANGUAGES
) -> Consultant:
    email = email.strip().lower()
    languages = parse_languages(languages)
    if "@" not in email:
        raise ValueError("not an e-mail address")
    if len(password) < 12:
        raise ValueError("password too short: use at least 12 characters")
    if session.scalars(select(Consultant.id).where(Consultant.email == email)).first() is not None:
        raise ValueError(f"a consultant with e-mail {email} already exists")
    consultant = Consultant(
        email=email, name=name.strip(), password_hash=hash_password(password), active=True, languages=languages
    )
    session.add(consultant)
    session.flush()
    return consultant


# -- two-step login (TOTP) ------------------------------------------------------------------
def totp_for(session: Session, consultant_id: int) -> ConsultantTotp | None:
    return session.get(ConsultantTotp, consultant_id)


def totp_enabled(session: Session, consultant_id: int) -> bool:
    row = totp_for(session, consultant_id)
    return row is not None and row.enabled


def enroll_totp(*, session: Session, consultant: Consultant) -> tuple[str, str]:
    """A new (not yet confirmed) secret; returns (secret, otpauth:// URI for the app's QR code).

    Enrolling again replaces the secret; the old one stops working at once.
    """
    secret = pyotp.random_base32()
    row = totp_for(session, consultant.id)
    if row is None:
        row = ConsultantTotp(consultant_id=consultant.id, secret=secret)
        session.add(row)
    row.secret, row.created_at, row.confirmed_at, row.last_step = secret, utcnow(), None, None
    uri = pyotp.TOTP(secret).provisioning_uri(name=consultant.email, issuer_name=TOTP_ISSUER)
    return secret, uri


def verify_totp(*, session: Session, consultant_id: int, code: str, now: datetime | None = None) -> bool:
    """True for a valid code of this or the neighbouring 30-second step not used before."""
    row = totp_for(session, consultant_id)
    code = code.strip().replace(" ", "")
    if row is None or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(row.secret)
    current = totp.timecode(now or utcnow())
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if row.last_step is not None and step <= row.last_step:
                return False  # replayed
            row.last_step = step
            return True
    return False


def confirm_totp(*, session: Session, consultant: Consultant, code: str) -> bool:
    """Switch two-step login on once the app shows a valid code for the enrolled secret."""
    row = totp_for(session, consultant.id)
    if row is None or not verify_totp(session=session, consultant_id=consultant.id, code=code):
        return False
    row.confirmed_at = utcnow()
    row.last_step = None  # the code shown while enrolling may still be used to log in
    return True


def disable_totp(*, session: Session, consultant: Consultant) -> bool:
    row = totp_for(session, consultant.id)
    if row is None:
        return False
    session.delete(row)
    return True
