"""Sharing a migrant's dates with her referent: one-time codes, links, the view, reminder copies.

- **Codes.** `create_code` gives `WW-XXXXX-XXXXX`: 10 characters from an alphabet without 0/O,
  1/I/L and U (30 symbols, about 49 bits), valid `CODE_LIFETIME` (48 hours: valid before
  `expires_at`, refused from that moment), used once. Only an HMAC of the code (the gateway's
  secret key) is stored. A new code replaces her earlier unused ones.
- **Redeeming.** `redeem` links the conversation that sends the code (any channel) to hers.
  A conversation that sent `MAX_WRONG` wrong codes in the last `WRONG_WINDOW` is refused before
  the code is even looked at (the guessing limit); the attempts are stored, so a restart does
  not reset them.
- **What he sees.** `view` answers with a timeline picture and the legal dates, computed from her
  newest stored deadline input, in his conversation's language. The picture's link
  (`/media/referent/<link>.png`, see `routes`) is signed and works only while the link is
  active. `copy_reminder` (hooked into `ReminderService` sending) sends him a copy of each
  reminder she gets, if she chose so. Nothing else of her conversation reaches him.
- **Ending.** `revoke_as_migrant` / `leave_as_referent` set `revoked_at`, remove her open codes
  and the copies of her dates stored in his transcript; the caller tells the other person.
  Erasing either conversation removes every row by the foreign keys (ON DELETE CASCADE).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from gateway.core.conversation import ConversationService
from gateway.core.models import Conversation, Message, utcnow
from gateway.core.schemas import OutgoingMessage
from gateway.referents.models import CodeAttempt, ReferentLink, ShareCode
from redaction.logs import hash_id

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: nothing to mix up when read aloud
PREFIX = "WW"
GROUPS = (5, 5)
CODE_LENGTH = sum(GROUPS)
CODE_LIFETIME = timedelta(hours=48)
MAX_WRONG = 5
WRONG_WINDOW = timedelta(hours=1)
# Payload marker of what is stored in the referent's transcript (removed when the link ends).
VIEW_KIND = "referent_view"
_SEP = r"[\s\-_.·/]*"
# "WW-7K3PA-9QXMR", "ww 7k3pa 9qxmr", "ww7k3pa9qxmr", also inside a sentence.
CODE_IN_TEXT = re.compile(rf"(?<![^\W_])WW{_SEP}((?:[A-Z0-9]{_SEP}){{{CODE_LENGTH - 1}}}[A-Z0-9])(?![^\W_])", re.I)
# The code without "WW" as the whole message ("7K3PA 9QXMR"): only when it is two groups of the
# alphabet's characters with a letter and a digit, so "B1 route 600" stays a question.
BARE_CODE = re.compile(rf"\s*([{ALPHABET}]{{{GROUPS[0]}}})[\s\-]?([{ALPHABET}]{{{GROUPS[1]}}})[\s.!]*", re.I)


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    parts, start = [PREFIX], 0
    for size in GROUPS:
        parts.append(chars[start : start + size])
        start += size
    return "-".join(parts)


def code_in(text: str) -> str | None:
    """The code-like part of a message ("WW-…" or a bare 10-character code), normalised to
    10 upper-case characters, or None when the message does not look like a code at all.
    A result may still contain characters outside the alphabet (then it is a wrong code)."""
    match = CODE_IN_TEXT.search(text or "")
    if match is None:
        bare = BARE_CODE.fullmatch(text or "")
        if bare is None:
            return None
        found = bare.group(1) + bare.group(2)
        if not (re.search(r"[A-Za-z]", found) and re.search(r"\d", found)):
            return None
    else:
        found = match.group(1)
    return re.sub(r"[^A-Za-z0-9]", "", found).upper()


def code_hash(secret: str, code: str) -> str:
    """The stored form of a code: HMAC-SHA256 with the gateway's secret key."""
    normal = re.sub(r"[^A-Z0-9]", "", code.upper())
    if normal.startswith(PREFIX) and len(normal) == CODE_LENGTH + len(PREFIX):
        normal = normal[len(PREFIX) :]
    return hmac.new(secret.encode("utf-8"), f"referent-code:{normal}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Redeemed:
    """What `redeem` did: `outcome` is linked, already, invalid, expired, used, own or too_many."""

    outcome: str
    link_id: int | None = None
    migrant_conversation_id: str | None = None
    share_reminders: bool = False


@dataclass(frozen=True)
class StoredDeadlines:
    message_id: int
    input: dict[str, Any]


@dataclass(frozen=True)
class Ended:
    """Links just ended: (link id, the other person's conversation id)."""

    links: tuple[tuple[int, str], ...]
    codes: int = 0

    @property
    def others(self) -> list[str]:
        return list(dict.fromkeys(other for _, other in self.links))


class ReferentService:
    def __init__(self, conversations: ConversationService, *, clock: Clock = utcnow) -> None:
        self.conversations = conversations
        self.settings = conversations.settings
        self.clock = clock

    @property
    def session_factory(self):  # noqa: ANN201
        return self.conversations.session_factory

    def _hash(self, code: str) -> str:
        return code_hash(self.settings.secret_key.get_secret_value(), code)

    # -- her side ---------------------------------------------------------------------
    def latest_deadlines(self, conversation_id: str) -> StoredDeadlines | None:
        """The newest deadline answer stored in this conversation (its input), or None."""
        with self.session_factory() as session:
            rows = session.execute(
                select(Message.id, Message.payload)
                .where(Message.conversation_id == conversation_id, Message.direction == "out")
                .order_by(Message.id.desc())
                .limit(500)
            )
            for message_id, payload in rows:
                spec = ((payload or {}).get("data") or {}).get("wegwijs") or {}
                if spec.get("type") == "deadlines" and isinstance(spec.get("input"), dict):
                    return StoredDeadlines(message_id, dict(spec["input"]))
        return None

    def create_code(self, migrant_conversation_id: str, share_reminders: bool, now: datetime | None = None) -> tuple[str, datetime]:
        """A new one-time code for her (her earlier unused codes stop working); (code, expires_at)."""
        now = now or self.clock()
        code = new_code()
        expires = now + CODE_LIFETIME
        with self.session_factory() as session:
            session.execute(
                delete(ShareCode).where(
                    ShareCode.migrant_conversation_id == migrant_conversation_id, ShareCode.used_at.is_(None)
                )
            )
            session.add(
                ShareCode(
                    migrant_conversation_id=migrant_conversation_id,
                    code_hash=self._hash(code),
                    share_reminders=share_reminders,
                    created_at=now,
                    expires_at=expires,
                )
            )
            session.commit()
        log.info("referent code created conversation=%s", hash_id(migrant_conversation_id))
        return code, expires

    def links_as_migrant(self, conversation_id: str) -> list[ReferentLink]:
        return self._active(ReferentLink.migrant_conversation_id == conversation_id)

    def links_as_referent(self, conversation_id: str) -> list[ReferentLink]:
        return self._active(ReferentLink.referent_conversation_id == conversation_id)

    def _active(self, condition: Any) -> list[ReferentLink]:
        with self.session_factory() as session:
            statement = select(ReferentLink).where(condition, ReferentLink.revoked_at.is_(None)).order_by(ReferentLink.id)
            return list(session.scalars(statement))

    # -- his side ---------------------------------------------------------------------
    def wrong_codes(self, conversation_id: str, now: datetime | None = None) -> int:
        now = now or self.clock()
        with self.session_factory() as session:
            return int(
                session.scalar(
                    select(func.count(CodeAttempt.id)).where(
                        CodeAttempt.conversation_id == conversation_id, CodeAttempt.created_at > now - WRONG_WINDOW
                    )
                )
                or 0
            )

    def _wrong(self, conversation_id: str, now: datetime, outcome: str) -> Redeemed:
        with self.session_factory() as session:
            session.execute(
                delete(CodeAttempt).where(
                    CodeAttempt.conversation_id == conversation_id, CodeAttempt.created_at <= now - WRONG_WINDOW
                )
            )
            session.add(CodeAttempt(conversation_id=conversation_id, created_at=now))
            session.commit()
        log.info("referent code refused conversation=%s outcome=%s", hash_id(conversation_id), outcome)
        return Redeemed(outcome)

    def redeem(self, referent_conversation_id: str, code: str, now: datetime | None = None) -> Redeemed:
        """Link this conversation to the one whose code this is (see the module doc for the rules)."""
        now = now or self.clock()
        if self.wrong_codes(referent_conversation_id, now) >= MAX_WRONG:
            log.info("referent code guessing limit conversation=%s", hash_id(referent_conversation_id))
            return Redeemed("too_many")
        normal = re.sub(r"[^A-Z0-9]", "", code.upper())
        if normal.startswith(PREFIX) and len(normal) == CODE_LENGTH + len(PREFIX):
            normal = normal[len(PREFIX) :]
        if len(normal) != CODE_LENGTH or any(ch not in ALPHABET for ch in normal):
            return self._wrong(referent_conversation_id, now, "invalid")
        with self.session_factory() as session:
            row = session.scalar(select(ShareCode).where(ShareCode.code_hash == self._hash(normal)))
            if row is None:
                outcome = "invalid"
            elif row.migrant_conversation_id == referent_conversation_id:
                return Redeemed("own")  # her own code: not used up, not a wrong guess
            elif row.used_at is not None:
                outcome = "used"
            elif row.expires_at <= now:
                outcome = "expired"
            else:
                claimed = session.execute(
                    update(ShareCode)
                    .where(ShareCode.id == row.id, ShareCode.used_at.is_(None), ShareCode.expires_at > now)
                    .values(used_at=now)
                )
                outcome = "linked" if claimed.rowcount == 1 else "used"  # type: ignore[attr-defined]
            if outcome != "linked" or row is None:
                session.rollback()
                return self._wrong(referent_conversation_id, now, outcome)
            migrant = row.migrant_conversation_id
            existing = session.scalar(
                select(ReferentLink).where(
                    ReferentLink.migrant_conversation_id == migrant,
                    ReferentLink.referent_conversation_id == referent_conversation_id,
                    ReferentLink.revoked_at.is_(None),
                )
            )
            if existing is not None:
                existing.share_reminders = row.share_reminders
                link, outcome = existing, "already"
            else:
                link = ReferentLink(
                    migrant_conversation_id=migrant,
                    referent_conversation_id=referent_conversation_id,
                    created_at=now,
                    share_reminders=row.share_reminders,
                )
                session.add(link)
            session.commit()
            log.info(
                "referent linked link=%d migrant=%s referent=%s", link.id, hash_id(migrant), hash_id(referent_conversation_id)
            )
            return Redeemed(outcome, link.id, migrant, link.share_reminders)

    def link_if_active(self, link_id: int) -> ReferentLink | None:
        with self.session_factory() as session:
            link = session.get(ReferentLink, link_id)
            return link if link is not None and link.revoked_at is None else None

    # -- ending -----------------------------------------------------------------------
    def revoke_as_migrant(self, migrant_conversation_id: str, now: datetime | None = None) -> Ended:
        """End every link of hers and remove her unused codes."""
        now = now or self.clock()
        with self.session_factory() as session:
            codes = session.execute(
                delete(ShareCode).where(
                    ShareCode.migrant_conversation_id == migrant_conversation_id, ShareCode.used_at.is_(None)
                )
            ).rowcount  # type: ignore[attr-defined]
            session.commit()
        ended = self._end(ReferentLink.migrant_conversation_id == migrant_conversation_id, "referent", now)
        log.info("referent links revoked migrant=%s links=%d codes=%d", hash_id(migrant_conversation_id),
                 len(ended.links), codes or 0)
        return Ended(ended.links, codes or 0)

    def leave_as_referent(self, referent_conversation_id: str, now: datetime | None = None) -> Ended:
        """End every link in which this conversation is the referent."""
        ended = self._end(ReferentLink.referent_conversation_id == referent_conversation_id, "migrant", now or self.clock())
        log.info("referent left referent=%s links=%d", hash_id(referent_conversation_id), len(ended.links))
        return ended

    def _end(self, condition: Any, other: str, now: datetime) -> Ended:
        with self.session_factory() as session:
            links = list(session.scalars(select(ReferentLink).where(condition, ReferentLink.revoked_at.is_(None))))
            for link in links:
                link.revoked_at = now
            session.commit()
            ended = tuple(
                (link.id, link.referent_conversation_id if other == "referent" else link.migrant_conversation_id)
                for link in links
            )
        self._forget_copies(links)
        return Ended(ended)

    def _forget_copies(self, links: Iterable[ReferentLink]) -> int:
        """Remove what was stored of her dates in his transcript (the view, reminder copies)."""
        removed = 0
        with self.session_factory() as session:
            for link in links:
                rows = session.execute(
                    select(Message.id, Message.payload).where(
                        Message.conversation_id == link.referent_conversation_id, Message.direction == "out"
                    )
                )
                ids = [
                    message_id
                    for message_id, payload in rows
                    if (((payload or {}).get("data") or {}).get("wegwijs") or {}).get("type") == VIEW_KIND
                    and (((payload or {}).get("data") or {}).get("wegwijs") or {}).get("link") == link.id
                ]
                if ids:
                    removed += session.execute(delete(Message).where(Message.id.in_(ids))).rowcount  # type: ignore[attr-defined]
            session.commit()
        return removed

    # -- reminders --------------------------------------------------------------------
    def reminder_receivers(self, migrant_conversation_id: str) -> list[tuple[int, str, str]]:
        """(link id, referent conversation id, his language) of the links that share reminders."""
        with self.session_factory() as session:
            rows = session.execute(
                select(ReferentLink.id, Conversation.id, Conversation.language)
                .join(Conversation, Conversation.id == ReferentLink.referent_conversation_id)
                .where(
                    ReferentLink.migrant_conversation_id == migrant_conversation_id,
                    ReferentLink.revoked_at.is_(None),
                    ReferentLink.share_reminders.is_(True),
                )
                .order_by(ReferentLink.id)
            )
            return [(link_id, conversation_id, language) for link_id, conversation_id, language in rows]

    def language_of(self, conversation_id: str) -> str:
        with self.session_factory() as session:
            conversation = session.get(Conversation, conversation_id)
            return conversation.language if conversation is not None else "nl"

    async def deliver(self, conversation_id: str, messages: list[OutgoingMessage]) -> None:
        """Push messages to a person outside his own turn; a channel failure is logged, not raised."""
        try:
            await self.conversations.deliver(conversation_id, messages)
        except Exception as exc:  # noqa: BLE001 - the other person's turn must not fail for it
            log.warning("referent delivery failed conversation=%s error=%s", hash_id(conversation_id), type(exc).__name__)


def day_of(moment: datetime, timezone: str) -> tuple[date, str]:
    """(local day, "HH:MM") of a moment in the gateway's time zone."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(timezone))
    return local.date(), local.strftime("%H:%M")
