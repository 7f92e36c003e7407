"""The conversation of test_languages.py, in every language, over Telegram and WhatsApp.

A second gateway (its own process, database and public address) runs both channels, pointed at a
fake Telegram Bot API and a fake WhatsApp Graph API on localhost, and talks to the real engine
with the trained model (conftest.py's `stack`). Each conversation goes: the language word,
greeting, FAQ answer, a deadline question with a date written the way people write it in that
language, the timeline PNG, and the request for a person (the consent question with buttons).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa
from conftest import GATEWAY_PY, ROOT, Stack
from test_languages import CONVERSATIONS, first_line

from channels.whatsapp.webhook import signature_of
from knowledge import build, loader
from knowledge.deadlines import format_date
from tests.fakes.server import serve
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.fakes.whatsapp_graph import FakeWhatsAppGraph
from tests.scale.services import free_port, wait_until_up

TELEGRAM_TOKEN = "7000000001:AAFtestTokenForWegwijs"
TELEGRAM_SECRET = "wegwijs-model-telegram-secret_1"
WA_ACCESS_TOKEN = "EAAGmodelTestAccessTokenWegwijs"
WA_APP_SECRET = "0123456789abcdef0123456789abcdef"
WA_VERIFY_TOKEN = "wegwijs-model-verify-token"
WA_PHONE_NUMBER_ID = "106540352242922"
PNG = b"\x89PNG\r\n\x1a\n"
TURN_TIMEOUT_S = 90  # a loaded 2-core machine; the engine answers in well under a second when idle
SETTLE_S = 0.4  # quiet time after the expected reply, so that trailing messages stay in their turn
TELEGRAM_LANGUAGE_CODES = {"nl": "nl", "en": "en", "tr": "tr", "ar": "ar", "pt": "pt-br"}

T = TypeVar("T")
_ids = itertools.count(1)


@dataclass
class Channels:
    url: str  # the gateway's own (public) address
    telegram: FakeTelegramAPI
    graph: FakeWhatsAppGraph
    db: sa.Engine


@pytest.fixture(scope="module")
def channels(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Channels]:
    """A gateway with Telegram and WhatsApp on the fakes, in front of the module's real engine."""
    tmp = tmp_path_factory.mktemp("channels")
    telegram = FakeTelegramAPI(token=TELEGRAM_TOKEN)
    graph = FakeWhatsAppGraph(access_token=WA_ACCESS_TOKEN, phone_number_id=WA_PHONE_NUMBER_ID)
    with serve(telegram.app()) as telegram_url, serve(graph.app()) as graph_url:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        database = f"sqlite:///{tmp / 'channels.db'}"
        env = dict(
            stack.env,
            WEGWIJS_PORT=str(port),
            WEGWIJS_PUBLIC_BASE_URL=url,
            WEGWIJS_DATABASE_URL=database,
            WEGWIJS_CHANNEL_RATE_LIMIT_PER_MINUTE="100000",
            WEGWIJS_TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
            WEGWIJS_TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
            WEGWIJS_TELEGRAM_API_BASE_URL=telegram_url,
            WEGWIJS_TELEGRAM_SET_WEBHOOK="false",  # the fake wants https; the updates are posted directly
            WEGWIJS_WHATSAPP_ACCESS_TOKEN=WA_ACCESS_TOKEN,
            WEGWIJS_WHATSAPP_APP_SECRET=WA_APP_SECRET,
            WEGWIJS_WHATSAPP_VERIFY_TOKEN=WA_VERIFY_TOKEN,
            WEGWIJS_WHATSAPP_PHONE_NUMBER_ID=WA_PHONE_NUMBER_ID,
            WEGWIJS_WHATSAPP_API_BASE_URL=graph_url,
            WEGWIJS_WHATSAPP_API_VERSION=graph.version,
        )
        log = tmp / "channels-gateway.log"
        proc = subprocess.Popen(
            [str(GATEWAY_PY), "-m", "channels"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        db = sa.create_engine(database)
        try:
            wait_until_up(f"{url}/healthz", proc, log, 90)
            yield Channels(url, telegram, graph, db)
        finally:
            db.dispose()
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


# -- helpers ---------------------------------------------------------------------------------
def wait_for(found: Callable[[], T | None], what: str, seen: Callable[[], object]) -> T:
    """`found()` once it is truthy, then SETTLE_S of quiet; fails with what was received."""
    deadline = time.monotonic() + TURN_TIMEOUT_S
    while time.monotonic() < deadline:
        result = found()
        if result:
            time.sleep(SETTLE_S)
            return found() or result
        time.sleep(0.05)
    pytest.fail(f"no {what} within {TURN_TIMEOUT_S} s; received: {seen()!r}")


def conversation_messages(channels: Channels, channel: str, user_id: str) -> list[dict[str, Any]]:
    """The gateway's stored outgoing message payloads of one channel user, oldest first."""
    query = sa.text(
        "SELECT m.payload FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        "WHERE c.channel = :channel AND c.channel_user_id = :user AND m.direction = 'out' ORDER BY m.id"
    )
    with channels.db.connect() as connection:
        rows = connection.execute(query, {"channel": channel, "user": user_id}).scalars().all()
    return [json.loads(p) if isinstance(p, str) else p for p in rows if p]


def conversation_language(channels: Channels, channel: str, user_id: str) -> str | None:
    query = sa.text("SELECT language FROM conversations WHERE channel = :channel AND channel_user_id = :user")
    with channels.db.connect() as connection:
        return connection.execute(query, {"channel": channel, "user": user_id}).scalar_one_or_none()


def fetched_timeline(channels: Channels, channel: str, user_id: str) -> bytes:
    """The timeline's media link as the gateway stored it, fetched: a PNG with its content type."""
    links = [p["image_url"] for p in conversation_messages(channels, channel, user_id) if p.get("image_url")]
    assert links, "no timeline image stored for the conversation"
    assert links[-1].startswith(channels.url + "/")
    response = httpx.get(links[-1], timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "image/png"
    assert response.content.startswith(PNG)
    return response.content


@dataclass
class Expected:
    """What the user must read in their language, from the catalogues."""

    switched: str
    greeting: str
    answer: str
    date: str
    consent: str
    consent_buttons: list[str]


def expected(lang: str) -> Expected:
    municipality = loader.load_municipality()
    context = municipality.template_context()
    dialogue = loader.load_dialogue()
    consent = dialogue["utter_handoff_consent"]
    return Expected(
        switched=first_line(build.render(dialogue["utter_language_switched"][lang], {})),
        greeting=first_line(build.render(dialogue["utter_greet"][lang], context)),
        answer=first_line(loader.load_faqs()["termijn"].text("answer", lang)),
        date=format_date(dt.date(2027, 5, 12), lang),
        consent=first_line(build.render(consent[lang], context)),
        consent_buttons=[build.render(b["title"][lang], context) for b in consent["buttons"]],
    )


# -- Telegram --------------------------------------------------------------------------------
SENDS = ("sendMessage", "sendPhoto", "sendDocument")


def telegram_text(call: Call) -> str:
    return str(call.params.get("text") or call.params.get("caption") or "")


def inline_keyboard(call: Call) -> list[str]:
    raw = call.params.get("reply_markup")
    if not raw:
        return []
    markup = json.loads(raw) if isinstance(raw, str) else raw
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


class TelegramUser:
    def __init__(self, channels: Channels, lang: str) -> None:
        self.channels = channels
        self.lang = lang
        self.chat_id = 5550100000 + next(_ids)

    def sent(self, start: int) -> list[Call]:
        return [
            c for c in self.channels.telegram.calls[start:]
            if c.method in SENDS and str(c.params.get("chat_id")) == str(self.chat_id)
        ]

    def say(self, text: str, until: Callable[[list[Call]], bool], what: str) -> list[Call]:
        start = len(self.channels.telegram.calls)
        update = {
            "update_id": 800000000 + next(_ids),
            "message": {
                "message_id": next(_ids),
                "from": {"id": self.chat_id, "is_bot": False, "first_name": "Amina",
                         "language_code": TELEGRAM_LANGUAGE_CODES[self.lang]},
                "chat": {"id": self.chat_id, "first_name": "Amina", "type": "private"},
                "date": int(time.time()),
                "text": text,
            },
        }
        response = httpx.post(
            f"{self.channels.url}/telegram/webhook", json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}, timeout=30,
        )
        assert response.status_code == 200
        return wait_for(
            lambda: (calls if until(calls := self.sent(start)) else None),
            f"Telegram {what} ({self.lang})",
            lambda: [(c.method, telegram_text(c)[:80]) for c in self.sent(start)],
        )


def containing(needle: str) -> Callable[[list[Call]], bool]:
    return lambda calls: any(needle in telegram_text(c) for c in calls)


@pytest.mark.parametrize("lang", list(CONVERSATIONS))
def test_a_whole_conversation_in_each_language_over_telegram(channels: Channels, lang: str) -> None:
    switch, hello, question, deadline, human = CONVERSATIONS[lang]
    want = expected(lang)
    user = TelegramUser(channels, lang)

    user.say(switch, containing(want.switched), "language switch")
    assert conversation_language(channels, "telegram", str(user.chat_id)) == lang

    greeting = user.say(hello, containing(want.greeting), "greeting")
    assert want.greeting in "\n".join(telegram_text(c) for c in greeting)

    answer = user.say(question, containing(want.answer), "FAQ answer")
    # the topic's buttons (related topics, deadlines...) come as an inline keyboard
    assert any(inline_keyboard(c) for c in answer)

    def dates_and_photo(calls: list[Call]) -> bool:
        return containing(want.date)(calls) and any(c.method == "sendPhoto" for c in calls)

    dates = user.say(deadline, dates_and_photo, "deadline answer with the timeline")
    photo = next(c for c in dates if c.method == "sendPhoto")
    assert photo.files["photo"].startswith(PNG)  # uploaded (Telegram cannot fetch from localhost)
    assert fetched_timeline(channels, "telegram", str(user.chat_id)) == photo.files["photo"]

    consent = user.say(human, lambda calls: any(inline_keyboard(c) for c in calls if want.consent in telegram_text(c)),
                       "handoff consent with buttons")
    question_call = next(c for c in consent if want.consent in telegram_text(c))
    assert inline_keyboard(question_call) == want.consent_buttons

    assert channels.telegram.errors == []


# -- WhatsApp --------------------------------------------------------------------------------
def whatsapp_text(message: dict[str, Any]) -> str:
    kind = message["type"]
    if kind == "text":
        return str(message["text"]["body"])
    if kind == "interactive":
        return str(message["interactive"]["body"]["text"])
    if kind in ("image", "document"):
        return str(message[kind].get("caption") or "")
    return ""


def choices(message: dict[str, Any]) -> list[str]:
    """The titles of a reply-button message or of a list's rows (a list row shows the whole title
    as its description when the title is longer than 24 characters)."""
    if message["type"] != "interactive":
        return []
    interactive = message["interactive"]
    action = interactive["action"]
    if interactive["type"] == "button":
        return [b["reply"]["title"] for b in action["buttons"]]
    return [row.get("description") or row["title"] for s in action["sections"] for row in s["rows"]]


class WhatsAppUser:
    def __init__(self, channels: Channels, lang: str) -> None:
        self.channels = channels
        self.lang = lang
        self.wa_id = f"3161{next(_ids):07d}"

    def sent(self, start: int) -> list[dict[str, Any]]:
        return [m for m in self.channels.graph.messages[start:] if m["to"] == self.wa_id]

    def say(self, text: str, until: Callable[[list[dict[str, Any]]], bool], what: str) -> list[dict[str, Any]]:
        start = len(self.channels.graph.messages)
        body = {
            "object": "whatsapp_business_account",
            "entry": [{
                "id": "102290129340398",
                "changes": [{
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": WA_PHONE_NUMBER_ID},
                        "contacts": [{"profile": {"name": "Amina"}, "wa_id": self.wa_id}],
                        "messages": [{
                            "from": self.wa_id, "id": f"wamid.MODEL{next(_ids):012d}",
                            "timestamp": str(int(time.time())), "type": "text", "text": {"body": text},
                        }],
                    },
                }],
            }],
        }
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        response = httpx.post(
            f"{self.channels.url}/whatsapp/webhook", content=raw, timeout=30,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature_of(WA_APP_SECRET, raw)},
        )
        assert response.status_code == 200
        return wait_for(
            lambda: (messages if until(messages := self.sent(start)) else None),
            f"WhatsApp {what} ({self.lang})",
            lambda: [(m["type"], whatsapp_text(m)[:80]) for m in self.sent(start)],
        )


def says(needle: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda messages: any(needle in whatsapp_text(m) for m in messages)


@pytest.mark.parametrize("lang", list(CONVERSATIONS))
def test_a_whole_conversation_in_each_language_over_whatsapp(channels: Channels, lang: str) -> None:
    switch, hello, question, deadline, human = CONVERSATIONS[lang]
    want = expected(lang)
    user = WhatsAppUser(channels, lang)

    user.say(switch, says(want.switched), "language switch")
    assert conversation_language(channels, "whatsapp", user.wa_id) == lang

    user.say(hello, says(want.greeting), "greeting")

    answer = user.say(question, says(want.answer), "FAQ answer")
    # the topic's buttons come as reply buttons or a list, labelled in the user's language
    assert any(m["type"] == "interactive" and choices(m) for m in answer)

    def dates_and_image(messages: list[dict[str, Any]]) -> bool:
        return says(want.date)(messages) and any(m["type"] == "image" for m in messages)

    dates = user.say(deadline, dates_and_image, "deadline answer with the timeline")
    image = next(m for m in dates if m["type"] == "image")
    upload = channels.graph.check_media_id(image["image"]["id"])  # uploaded (Graph cannot fetch localhost)
    assert upload.media_type == "image/png" and upload.content.startswith(PNG)
    assert fetched_timeline(channels, "whatsapp", user.wa_id) == upload.content

    def consent_with_choices(messages: list[dict[str, Any]]) -> bool:
        return any(choices(m) for m in messages if want.consent in whatsapp_text(m))

    consent = user.say(human, consent_with_choices, "handoff consent with buttons")
    question_message = next(m for m in consent if want.consent in whatsapp_text(m))
    assert choices(question_message) == want.consent_buttons

    assert channels.graph.errors == []
