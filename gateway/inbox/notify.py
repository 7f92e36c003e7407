"""Tell the regievoerders' team that a ticket arrived: a webhook and/or an e-mail.

Only the ticket id, reason, the user's language (code and own name) and a link are sent, never message bodies or user ids.
Sending happens in background tasks; a failure is logged (without personal data) and never
blocks or breaks the user's turn. The tasks are bounded: at most `MAX_CONCURRENT` send at once
and at most `MAX_PENDING` wait; beyond that a notification is dropped (and logged), so a flood of
tickets cannot pile up tasks, sockets or threads. Webhook bodies are always signed: without
`WEGWIJS_HANDOFF_WEBHOOK_SECRET` nothing is posted (the settings refuse a URL without a secret).

Per team: a ticket's notifications go to the teams that serve its municipality. A team with its
own e-mail addresses or webhook (`inbox_teams.notify_emails`, `webhook_url`) gets them there;
only when none of those teams has its own the deployment's settings (`WEGWIJS_SMTP_TO`,
`WEGWIJS_HANDOFF_WEBHOOK_URL`) are used. So a team never hears of another municipality's ticket.
Team webhooks are signed with the same `WEGWIJS_HANDOFF_WEBHOOK_SECRET`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from gateway.core.config import Settings
from gateway.inbox.i18n import ui
from knowledge import languages

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Wegwijs-Signature"
WEBHOOK_TIMEOUT_S = 10.0
SMTP_TIMEOUT_S = 15.0
MAX_CONCURRENT = 4
MAX_PENDING = 100


@dataclass(frozen=True)
class TeamChannel:
    """Where one team wants its notifications (empty: the deployment's settings)."""

    slug: str
    recipients: tuple[str, ...] = ()
    webhook_url: str | None = None

    @property
    def has_own(self) -> bool:
        return bool(self.recipients or self.webhook_url)


@dataclass(frozen=True)
class TicketNotice:
    ticket_id: int
    reason: str
    language: str
    url: str
    municipality: str = ""

    @property
    def language_name(self) -> str:
        """The user's language by its own name ("Türkçe"), so the team sees who can answer."""
        return languages.name(self.language) if self.language in languages.CODES else self.language

    def as_json(self) -> dict[str, Any]:
        return {
            "event": "ticket.created",
            "ticket_id": self.ticket_id,
            "reason": self.reason,
            "language": self.language,
            "language_name": self.language_name,
            "municipality": self.municipality,
            "url": self.url,
        }


class Notifier:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._transport = transport
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots: asyncio.Semaphore | None = None  # made on the running loop
        self.dropped = 0

    @property
    def recipients(self) -> list[str]:
        return [address.strip() for address in (self.settings.smtp_to or "").split(",") if address.strip()]

    def ticket_created(self, notice: TicketNotice, teams: list[TeamChannel] | None = None) -> None:
        """Schedule the notifications and return at once. `teams`: the teams serving the
        ticket's municipality; those with their own settings get it, else the deployment's."""
        webhooks, recipients = self.destinations(teams or [])
        global_url = str(self.settings.handoff_webhook_url) if self.settings.handoff_webhook_url else None
        for url in webhooks:
            self._spawn(self._post_webhook(notice) if url == global_url else self._post_webhook(notice, url))
        if self.settings.smtp_host and recipients:
            self._spawn(
                self._mail_in_thread(notice) if recipients == self.recipients else self._mail_in_thread(notice, recipients)
            )

    def destinations(self, teams: list[TeamChannel]) -> tuple[list[str], list[str]]:
        """(webhook URLs, e-mail addresses) for a ticket served by `teams`."""
        own = [team for team in teams if team.has_own]
        if not own:
            global_url = str(self.settings.handoff_webhook_url) if self.settings.handoff_webhook_url else None
            return ([global_url] if global_url else []), self.recipients
        webhooks = list(dict.fromkeys(team.webhook_url for team in own if team.webhook_url))
        recipients = list(dict.fromkeys(address for team in own for address in team.recipients))
        return webhooks, recipients

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Wait for notifications still being sent (used at shutdown and in tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)

    def _spawn(self, coroutine: Any) -> None:
        if len(self._tasks) >= MAX_PENDING:
            coroutine.close()
            self.dropped += 1
            log.warning("notification dropped: %d still being sent", len(self._tasks))
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(MAX_CONCURRENT)
        task = asyncio.get_running_loop().create_task(self._bounded(self._slots, coroutine))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _bounded(slots: asyncio.Semaphore, coroutine: Any) -> None:
        async with slots:
            await coroutine

    async def _mail_in_thread(self, notice: TicketNotice, recipients: list[str] | None = None) -> None:
        await asyncio.to_thread(self._send_mail, notice, recipients)

    async def _post_webhook(self, notice: TicketNotice, url: str | None = None) -> None:
        body = json.dumps(notice.as_json(), separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        secret = self.settings.handoff_webhook_secret
        if secret is None or not secret.get_secret_value():
            log.error("handoff webhook not sent for ticket %d: no WEGWIJS_HANDOFF_WEBHOOK_SECRET to sign it",
                      notice.ticket_id)
            return
        digest = hmac.new(secret.get_secret_value().encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers[SIGNATURE_HEADER] = f"sha256={digest}"
        try:
            async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_S, transport=self._transport) as client:
                response = await client.post(url or str(self.settings.handoff_webhook_url), content=body, headers=headers)
            if response.status_code >= 400:
                log.warning("handoff webhook answered HTTP %d for ticket %d", response.status_code, notice.ticket_id)
        except httpx.HTTPError as exc:
            log.warning("handoff webhook failed for ticket %d: %s", notice.ticket_id, type(exc).__name__)

    def _send_mail(self, notice: TicketNotice, recipients: list[str] | None = None) -> None:
        settings = self.settings
        message = EmailMessage()
        message["Subject"] = ui("mail_subject", ticket=notice.ticket_id)
        message["From"] = settings.smtp_from
        message["To"] = ", ".join(recipients if recipients is not None else self.recipients)
        message.set_content(
            ui(
                "mail_body", ticket=notice.ticket_id, reason=notice.reason, language_name=notice.language_name,
                language=notice.language, url=notice.url,
            )
        )
        try:
            with smtplib.SMTP(str(settings.smtp_host), settings.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_user and settings.smtp_password is not None:
                    smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("handoff e-mail failed for ticket %d: %s", notice.ticket_id, type(exc).__name__)
