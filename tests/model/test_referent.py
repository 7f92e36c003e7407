"""The referent across two channels on the trained model: she gets a real deadline answer in the web
chat and shares it, he sends her code on Telegram and sees her timeline there, she revokes, and
after she shares again her "delete my data" removes the link.

A second gateway process runs next to the session's stack (same Rasa engine), with Telegram
configured against a local fake Bot API; its web chat and its Telegram webhook are used."""

from __future__ import annotations

import itertools
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from conftest import GATEWAY_PY, ROOT, TOKEN, Stack, texts

from gateway.referents.texts import ACCESS_ENDED, LINKED, MIGRANT_LINKED, STOPPED, VIEW_HEADING
from knowledge.deadlines import format_date
from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.scale.services import free_port, wait_until_up

BOT_TOKEN = "7000000002:AAFmodelTestTokenForWegwijsReferent"
WEBHOOK_SECRET = "wegwijs-model-referent-webhook-secret_1"
CHAT_ID = 5550009876
CODE = re.compile(r"WW-[0-9A-Z]{5}-[0-9A-Z]{5}")
_update_ids = itertools.count(700000000)


class Gateway:
    def __init__(self, stack: Stack, tmp: Path, telegram_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = tmp / "referent-gateway.db"
        self.env = dict(
            stack.env,
            WEGWIJS_PORT=str(self.port),
            WEGWIJS_PUBLIC_BASE_URL=self.url,
            WEGWIJS_DATABASE_URL=f"sqlite:///{self.db}",
            WEGWIJS_TELEGRAM_BOT_TOKEN=BOT_TOKEN,
            WEGWIJS_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
            WEGWIJS_TELEGRAM_API_BASE_URL=telegram_url,
            WEGWIJS_TELEGRAM_MUNICIPALITY="voorbeeldstad",
        )
        self.log = tmp / "referent-gateway.log"

    def chat(self, session: str, text: str) -> list[dict]:
        r = httpx.post(f"{self.url}/webchat/api/messages", json={"session_id": session, "text": text}, timeout=60)
        r.raise_for_status()
        return r.json()["messages"]

    def history(self, session: str) -> list[dict]:
        return httpx.get(f"{self.url}/webchat/api/messages", params={"session_id": session}, timeout=30).json()["messages"]

    def telegram(self, text: str) -> None:
        update = {
            "update_id": next(_update_ids),
            "message": {
                "message_id": next(_update_ids),
                "date": 1767225600,
                "chat": {"id": CHAT_ID, "type": "private", "first_name": "Ahmet"},
                "from": {"id": CHAT_ID, "is_bot": False, "first_name": "Ahmet", "language_code": "nl"},
                "text": text,
                **({"entities": [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]}
                   if text.startswith("/") else {}),
            },
        }
        r = httpx.post(f"{self.url}/telegram/webhook", json=update,
                       headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}, timeout=120)
        assert r.status_code == 200, r.text

    def links(self) -> list[tuple]:
        with sqlite3.connect(self.db) as db:
            return db.execute("SELECT id, revoked_at FROM referent_links ORDER BY id").fetchall()


@pytest.fixture(scope="module")
def bot_api() -> Iterator[FakeTelegramAPI]:
    fake = FakeTelegramAPI(token=BOT_TOKEN)
    with serve(fake.app()) as base_url:
        fake.base_url = base_url  # type: ignore[attr-defined]
        yield fake


@pytest.fixture(scope="module")
def gateway(stack: Stack, bot_api: FakeTelegramAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    gw = Gateway(stack, tmp_path_factory.mktemp("referent"), bot_api.base_url)  # type: ignore[attr-defined]
    import subprocess

    proc = subprocess.Popen([str(GATEWAY_PY), "-m", "channels"], cwd=ROOT, env=gw.env,
                            stdout=gw.log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"{gw.url}/healthz", proc, gw.log, 90)
        yield gw
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def share(gateway: Gateway, session: str) -> str:
    (explain,) = gateway.chat(session, "delen met mijn partner")
    with_reminders = explain["buttons"][0]
    code_message, _howto = gateway.chat(session, with_reminders["payload"])
    return CODE.search(code_message["text"]).group(0)  # type: ignore[union-attr]


def sent(bot_api: FakeTelegramAPI) -> list[str]:
    return [c.params.get("text", "") for c in bot_api.of("sendMessage")]


def wait_for(condition: Callable[[], object], seconds: float = 60) -> None:
    """The gateway answers a Telegram update after the webhook returned: wait for its calls."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_referent_links_views_is_revoked_and_the_link_goes_with_her_data(
    gateway: Gateway, bot_api: FakeTelegramAPI
) -> None:
    assert TOKEN  # the session stack's engine answers this gateway too
    her = uuid.uuid4().hex
    answer = gateway.chat(her, "mijn pip is van 12 mei 2024, tot wanneer heb ik tijd?")
    assert format_date("2027-05-12", "nl") in texts(answer)  # a real deadline answer of the model
    code = share(gateway, her)

    bot_api.reset()
    gateway.telegram(code.lower().replace("-", " "))  # as he types it
    wait_for(lambda: any(t.startswith(LINKED["nl"]) for t in sent(bot_api)))
    assert gateway.history(her)[-1]["text"] == MIGRANT_LINKED["nl"]

    bot_api.reset()
    gateway.telegram("/haar_data")
    wait_for(lambda: any(t.startswith(VIEW_HEADING["nl"]) for t in sent(bot_api)))
    (photo,) = bot_api.of("sendPhoto")
    assert photo.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")
    (dates,) = [t for t in sent(bot_api) if t.startswith(VIEW_HEADING["nl"])]
    assert format_date("2027-05-12", "nl") in dates
    assert "tot wanneer heb ik tijd" not in " ".join(sent(bot_api))  # nothing of her messages

    bot_api.reset()
    (stopped,) = gateway.chat(her, "stop delen")
    assert stopped["text"] == STOPPED["nl"]
    assert sent(bot_api) == [ACCESS_ENDED["nl"]]  # delivered within her turn
    bot_api.reset()
    gateway.telegram("/haar_data")
    wait_for(lambda: sent(bot_api))
    assert bot_api.of("sendPhoto") == [] and not any(t.startswith(VIEW_HEADING["nl"]) for t in sent(bot_api))

    # she shares again, he links again; then she deletes her data: the link is gone, he is told
    bot_api.reset()
    gateway.telegram(share(gateway, her))
    wait_for(lambda: any(t.startswith(LINKED["nl"]) for t in sent(bot_api)))
    assert [revoked for _, revoked in gateway.links()].count(None) == 1
    confirm = gateway.chat(her, "verwijder mijn gegevens")
    yes = next((b["payload"] for m in confirm for b in m["buttons"]), "ja")
    bot_api.reset()
    gateway.chat(her, yes)
    assert gateway.links() == []
    assert sent(bot_api) == [ACCESS_ENDED["nl"]]
