"""Review finding 7: the inbox login hashes off the event loop, backs off after repeated wrong
passwords (per account and per IP, with a clear message and a logged lockout), and asks a TOTP
code when the consultant enrolled one (`python -m gateway.inbox enable-totp` / `confirm-totp`)."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta

import httpx
import pyotp
import pytest

from gateway.core.models import utcnow
from gateway.inbox import __main__ as cli
from gateway.inbox import security, throttle
from knowledge.texts import text
from tests.support.inbox import BASE_URL, PASSWORD, Gateway, add_consultant, csrf_from, login

ANNA = "anna@voorbeeldstad.nl"
LOCKED_PREFIX = text("inbox.login_locked", "nl", time="").split("{")[0].strip()[:40]


async def attempt(client: httpx.AsyncClient, email: str = ANNA, password: str = "wrong password!!") -> httpx.Response:
    page = await client.get("/inbox/login")
    return await client.post(
        "/inbox/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text), "next": "/inbox"},
    )


def other_client(gateway: Gateway, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=gateway.app, client=(ip, 4321))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


async def test_the_password_hash_is_verified_in_a_worker_thread_not_on_the_event_loop(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_consultant(gateway.app)
    on_loop: list[bool] = []
    real = security.verify_password

    def recording(password_hash: str, password: str) -> bool:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", recording)
    assert (await attempt(gateway.client)).status_code == 400
    assert (await attempt(gateway.client, email="nobody@voorbeeldstad.nl")).status_code == 400
    await login(gateway.client)
    assert on_loop == [False, False, False]


async def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message_and_a_log_line(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    add_consultant(gateway.app)
    caplog.set_level(logging.INFO)
    limit = gateway.settings.inbox_login_max_failures
    for _ in range(limit - 1):
        assert (await attempt(gateway.client)).status_code == 400
    starts = await attempt(gateway.client)  # the failure that starts the lock says so at once
    assert starts.status_code == 429 and LOCKED_PREFIX in starts.text

    locked = await attempt(gateway.client, password=PASSWORD)  # even the right password waits
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert LOCKED_PREFIX in locked.text
    assert (await gateway.client.get("/inbox")).status_code == 303  # not logged in

    lines = [r.getMessage() for r in caplog.records if "locked" in r.getMessage()]
    assert lines, "the lockout is logged"
    assert all(ANNA not in line and "127.0.0.1" not in line for line in lines)
    assert any(throttle.hash_id(ANNA) in line for line in lines)


async def test_a_locked_account_does_not_lock_a_colleague_and_the_lock_ends(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_consultant(gateway.app)
    add_consultant(gateway.app, email="bob@voorbeeldstad.nl", name="Bob")
    for _ in range(gateway.settings.inbox_login_max_failures):
        await attempt(gateway.client)
    assert (await attempt(gateway.client, password=PASSWORD)).status_code == 429
    assert (await attempt(gateway.client, email="bob@voorbeeldstad.nl", password=PASSWORD)).status_code == 303

    later = utcnow() + timedelta(minutes=gateway.settings.inbox_login_lockout_minutes, seconds=1)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    async with other_client(gateway, "127.0.0.1") as client:
        assert (await attempt(client, password=PASSWORD)).status_code == 303


async def test_many_wrong_passwords_from_one_address_lock_that_address_only(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    async with other_client(gateway, "192.0.2.10") as attacker, other_client(gateway, "192.0.2.20") as anna:
        for n in range(gateway.settings.inbox_login_ip_max_failures - 1):
            assert (await attempt(attacker, email=f"guess{n}@voorbeeldstad.nl")).status_code == 400
        assert (await attempt(attacker, email="last-guess@voorbeeldstad.nl")).status_code == 429
        assert (await attempt(attacker, password=PASSWORD)).status_code == 429
        assert (await attempt(anna, password=PASSWORD)).status_code == 303


def run_cli(gateway: Gateway, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv), settings=gateway.settings)
    out = capsys.readouterr()
    return code, out.out + out.err


async def test_a_consultant_with_totp_enrolled_through_the_cli_is_asked_for_the_code(
    gateway: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    add_consultant(gateway.app)
    code, out = run_cli(gateway, capsys, "enable-totp", "--email", ANNA)
    assert code == 0 and "otpauth://totp/" in out
    secret = re.search(r"secret=([A-Z2-7]+)", out).group(1)
    assert run_cli(gateway, capsys, "confirm-totp", "--email", ANNA, "--code", "12345x")[0] == 2
    assert run_cli(gateway, capsys, "confirm-totp", "--email", ANNA, "--code", pyotp.TOTP(secret).now())[0] == 0

    first = await attempt(gateway.client, password=PASSWORD)
    assert first.status_code == 200 and 'name="code"' in first.text
    assert (await gateway.client.get("/inbox")).status_code == 303  # the password alone is not enough

    csrf = csrf_from(first.text)
    wrong = await gateway.client.post("/inbox/login/totp", data={"code": "12345x", "csrf_token": csrf})
    assert wrong.status_code == 400 and text("inbox.totp_wrong", "nl") in wrong.text
    right = await gateway.client.post("/inbox/login/totp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf})
    assert right.status_code == 303 and right.headers["location"] == "/inbox"
    assert (await gateway.client.get("/inbox")).status_code == 200


async def test_a_totp_code_is_accepted_once_and_wrong_codes_count_towards_the_lock(
    gateway: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    add_consultant(gateway.app)
    out = run_cli(gateway, capsys, "enable-totp", "--email", ANNA)[1]
    totp = pyotp.TOTP(re.search(r"secret=([A-Z2-7]+)", out).group(1))
    assert run_cli(gateway, capsys, "confirm-totp", "--email", ANNA, "--code", totp.now())[0] == 0
    first = await attempt(gateway.client, password=PASSWORD)
    csrf = csrf_from(first.text)
    assert (await gateway.client.post("/inbox/login/totp", data={"code": totp.now(), "csrf_token": csrf})).status_code == 303

    async with other_client(gateway, "127.0.0.1") as client:  # the same code again, from another browser
        page = await attempt(client, password=PASSWORD)
        replay = await client.post("/inbox/login/totp", data={"code": totp.now(), "csrf_token": csrf_from(page.text)})
        assert replay.status_code == 400
        for _ in range(gateway.settings.inbox_login_max_failures):
            await client.post("/inbox/login/totp", data={"code": "000000", "csrf_token": csrf_from(page.text)})
        assert (await attempt(client, password=PASSWORD)).status_code == 429

    assert run_cli(gateway, capsys, "disable-totp", "--email", ANNA)[0] == 0


async def test_the_totp_step_without_a_password_step_is_refused(gateway: Gateway) -> None:
    page = await gateway.client.get("/inbox/login")
    response = await gateway.client.post("/inbox/login/totp", data={"code": "123456", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 303 and response.headers["location"].startswith("/inbox/login")
