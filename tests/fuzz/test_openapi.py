"""Fuzzing the gateway: no request, however odd, gets a 5xx.

- schemathesis generates requests from the gateway's own OpenAPI document: the deadline API, the
  web chat API, the privacy page and the consultant inbox JSON API (logged in, with CSRF token);
- hypothesis sends odd but correctly signed Telegram and WhatsApp webhook bodies.

The gateway runs for real (uvicorn on 127.0.0.1, lifespan on: migrations, channels) with a
temporary SQLite database, a scripted fake Rasa, and fake Telegram/WhatsApp APIs. Bounded
examples keep the whole module well under a minute.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.app import create_app
from channels.whatsapp.webhook import signature_of
from gateway.core import engine as engine_module
from gateway.inbox import security
from gateway.inbox.security import create_consultant
from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.whatsapp_graph import FakeWhatsAppGraph
from tests.scale.services import free_port
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings
from tests.support.inbox import PASSWORD, join_team, scripted_reply

TELEGRAM_TOKEN = "7000000001:AAFtestTokenForWegwijs"
TELEGRAM_SECRET = "wegwijs-fuzz-webhook-secret_1"
WA_ACCESS_TOKEN = "EAAGfuzzAccessTokenWegwijs"
WA_APP_SECRET = "0123456789abcdef0123456789abcdef"
WA_VERIFY_TOKEN = "wegwijs-fuzz-verify-token"
WA_PHONE_NUMBER_ID = "106540352242922"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


@dataclass
class Gateway:
    url: str
    app: object
    cookies: dict[str, str]
    csrf: str


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    mp = pytest.MonkeyPatch()
    mp.setattr(engine_module, "BACKOFF_BASE_S", 0.0)
    mp.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    try:
        telegram = FakeTelegramAPI(token=TELEGRAM_TOKEN)
        graph = FakeWhatsAppGraph(access_token=WA_ACCESS_TOKEN, phone_number_id=WA_PHONE_NUMBER_ID)
        with serve(telegram.app()) as telegram_url, serve(graph.app()) as graph_url:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            app_settings = make_settings(
                Path(tmp_path_factory.mktemp("fuzz")), public_base_url=base, scheduler_enabled=False,
                engine_retries=0, telegram_bot_token=TELEGRAM_TOKEN, telegram_webhook_secret=TELEGRAM_SECRET,
                telegram_api_base_url=telegram_url, telegram_set_webhook=False,
                whatsapp_access_token=WA_ACCESS_TOKEN, whatsapp_app_secret=WA_APP_SECRET,
                whatsapp_verify_token=WA_VERIFY_TOKEN, whatsapp_phone_number_id=WA_PHONE_NUMBER_ID,
                whatsapp_api_base_url=graph_url,
            )
            app = create_app(app_settings, engine_transport=FakeRasa(reply=scripted_reply).transport())
            with serve(app, port=port, lifespan="on", log_level="error", start_timeout=30, stop_timeout=30):
                with app.state.session_factory() as session:
                    fuzz = create_consultant(session=session, email="fuzz@voorbeeldstad.nl", name="Fuzz", password=PASSWORD)
                    join_team(session, fuzz, app_settings.municipality)
                    session.commit()
                with httpx.Client(base_url=base, timeout=30) as client:
                    for text in ("Wat is een PIP?", "ik wil een mens", "ja"):  # one open ticket to look at
                        client.post("/webchat/api/messages", json={"session_id": "fuzz-user-0001", "text": text})
                    token = CSRF_META.search(client.get("/inbox/login").text).group(1)
                    r = client.post("/inbox/login", data={"email": "fuzz@voorbeeldstad.nl", "password": PASSWORD,
                                                          "csrf_token": token, "next": "/inbox"})
                    assert r.status_code == 303, r.text
                    csrf = CSRF_META.search(client.get("/inbox").text).group(1)
                    cookies = dict(client.cookies)
                yield Gateway(base, app, cookies, csrf)
    finally:
        mp.undo()


def _operations() -> list:
    """The OpenAPI operations, read from an app built with test settings (no lifespan needed)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="wegwijs-fuzz-") as tmp:
        spec = create_app(make_settings(Path(tmp))).openapi()
    return [result.ok() for result in schemathesis.openapi.from_dict(spec).get_all_operations()]


OPERATIONS = _operations()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_generated_request_gets_a_server_error(operation, gateway: Gateway) -> None:
    @given(case=operation.as_strategy())
    @FUZZ
    def check(case) -> None:
        response = case.call(base_url=gateway.url, headers={"X-CSRF-Token": gateway.csrf},
                             cookies=gateway.cookies, timeout=30)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")

    check()


json_scalars = st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.text(max_size=40)
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=12), kids, max_size=4), max_leaves=12)
telegram_updates = st.fixed_dictionaries(
    {"update_id": st.integers(0, 2**31)},
    optional={
        "message": st.fixed_dictionaries(
            {"message_id": st.integers(0, 2**31) | json_scalars,
             "date": st.integers(0, 2**31),
             "chat": st.fixed_dictionaries({"id": st.integers(-2**40, 2**40), "type": st.sampled_from(
                 ["private", "group", "channel", "weird"])}),
             },
            optional={"text": st.text(max_size=300), "from": json_values, "photo": json_values,
                      "entities": json_values},
        ),
        "callback_query": json_values,
        "edited_message": json_values,
    },
)


@given(update=telegram_updates | json_values)
@FUZZ
def test_odd_telegram_updates_with_the_right_secret_get_no_server_error(gateway: Gateway, update) -> None:
    r = httpx.post(f"{gateway.url}/telegram/webhook", json=update,
                   headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}, timeout=30)
    assert r.status_code < 500, r.text[:300]


whatsapp_messages = st.fixed_dictionaries(
    {"from": st.text("0123456789", min_size=1, max_size=15), "id": st.text(min_size=1, max_size=30),
     "timestamp": st.integers(0, 2**31).map(str),
     "type": st.sampled_from(["text", "interactive", "image", "button", "unknown"])},
    optional={"text": st.fixed_dictionaries({"body": st.text(max_size=300)}), "interactive": json_values,
              "button": json_values},
)
whatsapp_bodies = st.fixed_dictionaries({
    "object": st.sampled_from(["whatsapp_business_account", "page"]),
    "entry": st.lists(st.fixed_dictionaries({
        "id": st.text(max_size=10),
        "changes": st.lists(st.fixed_dictionaries({
            "field": st.sampled_from(["messages", "other"]),
            "value": st.fixed_dictionaries(
                {"messaging_product": st.just("whatsapp"),
                 "metadata": st.fixed_dictionaries({"phone_number_id": st.just(WA_PHONE_NUMBER_ID)})},
                optional={"messages": st.lists(whatsapp_messages, max_size=2), "statuses": json_values,
                          "contacts": json_values}),
        }), max_size=2),
    }), max_size=2),
})


@given(body=whatsapp_bodies | json_values)
@FUZZ
def test_odd_whatsapp_webhooks_with_a_valid_signature_get_no_server_error(gateway: Gateway, body) -> None:
    raw = json.dumps(body).encode()
    r = httpx.post(f"{gateway.url}/whatsapp/webhook", content=raw, timeout=30,
                   headers={"Content-Type": "application/json",
                            "X-Hub-Signature-256": signature_of(WA_APP_SECRET, raw)})
    assert r.status_code < 500, r.text[:300]
