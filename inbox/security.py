"""Consultant passwords (argon2), login sessions and CSRF tokens.

The browser gets Starlette's signed session cookie (httponly, samesite=lax, path /inbox) that
holds two random values: `sid`, the key of a server-side `ConsultantSession` row, and `csrf`,
the token every POST must echo (form field `csrf_token` or header `X-CSRF-Token`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from channels.core.models import utcnow
from inbox.models import Consultant, ConsultantSession

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_COOKIE = "wegwijs_inbox"

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


def open_session(*, session: Session, consultant: Consultant, hours: int) -> str:
    """Create a login session and return its token (goes into the signed cookie)."""
    token = new_token()
    now = utcnow()
    session.execute(delete(ConsultantSession).where(ConsultantSession.expires_at < now))
    session.add(
        ConsultantSession(
            token_hash=token_hash(token),
            consultant_id=consultant.id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token


def consultant_for_token(*, session: Session, token: str | None) -> Consultant | None:
    if not token:
        return None
    row = session.get(ConsultantSession, token_hash(token))
    if row is None or row.expires_at <= utcnow() or not row.consultant.active:
        return None
    return row.consultant


def close_session(*, session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsultantSession).where(ConsultantSession.token_hash == token_hash(token)))


def create_consultant(*, session: Session, email: str, name: str, password: str) -> Consultant:
    email = email.strip().lower()
    if "@" not in email:
        raise ValueError("not an e-mail address")
    if len(password) < 12:
        raise ValueError("password too short: use at least 12 characters")
    if session.scalars(select(Consultant.id).where(Consultant.email == email)).first() is not None:
        raise ValueError(f"a consultant with e-mail {email} already exists")
    consultant = Consultant(email=email, name=name.strip(), password_hash=hash_password(password), active=True)
    session.add(consultant)
    session.flush()
    return consultant
