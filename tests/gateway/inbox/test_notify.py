"""A new ticket is announced to a webhook and by e-mail, without message contents, in the background."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.fake_rasa import FakeRasa
from tests.support.inbox import hand_off, make_settings, running, scripted_reply


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class MailSink:
    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@dataclass
class WebhookReceiver:
    url: str
    requests: list[tuple[dict[str, str], bytes]]


@pytest.fixture
def smtp_sink() -> Iterator[tuple[MailSink, int]]:
    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield WebhookReceiver(f"http://127.0.0.1:{server.server_address[1]}/hooks/wegwijs", received)
    finally:
        server.shutdown()
        server.server_close()


async def test_a_new_ticket_reaches_the_smtp_sink_and_the_webhook_without_message_bodies(
    tmp_path: Path, smtp_sink: tuple[MailSink, int], webhook_receiver: WebhookReceiver
) -> None:
    sink, port = smtp_sink
    settings = make_settings(
        tmp_path,
        smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_from="wegwijs@voorbeeldstad.nl",
        smtp_to="team@voorbeeldstad.nl, backup@voorbeeldstad.nl",
        handoff_webhook_url=webhook_receiver.url, handoff_webhook_secret="webhook-signing-secret",
    )
    async with running(settings, FakeRasa(reply=scripted_reply)) as (app, client):
        await hand_off(client)
        await app.state.handoff.notifier.drain()

    [(headers, body)] = webhook_receiver.requests
    assert json.loads(body) == {
        "event": "ticket.created", "ticket_id": 1, "reason": "user_request", "language": "nl",
        "language_name": "Nederlands", "municipality": "voorbeeldstad", "url": "http://testserver/inbox/tickets/1",
    }
    expected = hmac.new(b"webhook-signing-secret", body, hashlib.sha256).hexdigest()
    assert headers["X-Wegwijs-Signature"] == f"sha256={expected}"

    [(recipients, mail)] = sink.messages
    assert recipients == ["team@voorbeeldstad.nl", "backup@voorbeeldstad.nl"]
    assert mail["Subject"] == "Wegwijs: nieuwe vraag voor een regievoerder (#1)"
    text = mail.get_payload(decode=True).decode()
    assert "http://testserver/inbox/tickets/1" in text
    assert "Taal van de gebruiker: Nederlands (nl)" in text
    for private in ("PIP", "ik wil een mens", "user-session-0001", "termijn verlengd", "2025-03-01"):
        assert private not in text and private.encode() not in body


async def test_unreachable_notification_targets_do_not_block_the_handoff_and_log_no_personal_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dead = free_port()
    settings = make_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=dead, smtp_starttls=False, smtp_to="team@voorbeeldstad.nl",
        handoff_webhook_url=f"http://127.0.0.1:{dead}/hook", handoff_webhook_secret="webhook-signing-secret",
    )
    caplog.set_level(logging.INFO)
    async with running(settings, FakeRasa(reply=scripted_reply)) as (app, client):
        replies = await hand_off(client)
        await app.state.handoff.notifier.drain()

    assert any("regievoerder" in (m["text"] or "") for m in replies)
    failures = [r.getMessage() for r in caplog.records if r.name == "gateway.inbox.notify"]
    assert any("webhook failed for ticket 1" in m for m in failures)
    assert any("e-mail failed for ticket 1" in m for m in failures)
    logged = " ".join(r.getMessage() for r in caplog.records)
    for private in ("ik wil een mens", "user-session-0001", "termijn verlengd", "Wat is een PIP"):
        assert private not in logged


async def test_nothing_is_sent_when_no_notification_is_configured(gateway) -> None:  # noqa: ANN001
    await hand_off(gateway.client)
    assert gateway.app.state.handoff.notifier._tasks == set()
