"""BSN and IBAN never reach the transcript or the engine; logs carry no personal data; the privacy page."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from gateway.core.models import Message
from gateway.privacy.logfilter import RedactingFilter, install_log_redaction
from tests.support.fake_rasa import FakeRasa

API = "/webchat/api/messages"


@pytest.mark.asyncio
async def test_a_bsn_is_masked_before_storage_and_the_engine_and_the_user_is_told_once(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    text = "Mijn BSN is 111222333 en 111.222.333, rekening NL91ABNA0417164300, bel 06-12345678"
    replies = (await client.post(API, json={"session_id": "bsn-user-1", "text": text})).json()["messages"]

    masked = "Mijn BSN is [BSN] en [BSN], rekening [IBAN], bel 06-12345678"
    assert fake_rasa.messages[0].body["message"] == masked
    with app.state.session_factory() as session:
        stored = list(session.scalars(select(Message).order_by(Message.id)))
    assert stored[0].text == masked
    assert all("111222333" not in (m.text or "") and "NL91ABNA" not in (m.text or "") for m in stored)
    notices = [r["text"] for r in replies if (r["text"] or "").startswith("Stuur nooit")]
    assert len(notices) == 1 and notices[0].startswith("Stuur nooit uw BSN")
    assert replies[-1]["text"].startswith("Antwoord op:")


@pytest.mark.asyncio
async def test_an_iban_alone_is_masked_without_the_bsn_notice(client: httpx.AsyncClient) -> None:
    replies = (await client.post(API, json={"session_id": "iban-user-1", "text": "NL91 ABNA 0417 1643 00"})).json()["messages"]
    assert [r["text"] for r in replies] == ["Antwoord op: [IBAN]"]


@pytest.mark.asyncio
async def test_a_nine_digit_number_that_is_no_bsn_is_kept(client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    await client.post(API, json={"session_id": "number-user", "text": "zaaknummer 123456789"})
    assert fake_rasa.messages[0].body["message"] == "zaaknummer 123456789"


def test_no_log_line_carries_a_bsn_iban_phone_email_or_raw_user_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RedactingFilter())
    log = logging.getLogger("channels.test")
    with caplog.at_level(logging.INFO):
        log.info("user %s wrote %s", "+31 6 1234 5678", "bsn 111222333 iban NL91ABNA0417164300 mail a@b.nl")
        log.info("message from chat_id=%s", 912345678, extra={"wa_id": "31612345678"})
        try:
            raise RuntimeError("failed for a@b.nl")
        except RuntimeError:
            log.exception("send failed")
    text = caplog.text
    for secret in ("1234 5678", "111222333", "NL91ABNA", "a@b.nl", "912345678"):
        assert secret not in text
    assert "[PHONE]" in text and "[BSN]" in text and "[IBAN]" in text and "[EMAIL]" in text
    assert all(getattr(r, "wa_id", "") != "31612345678" for r in caplog.records)


def test_the_app_installs_the_filter_on_the_root_logger_and_its_handlers(app: FastAPI) -> None:
    root = logging.getLogger()
    flt = install_log_redaction()
    assert flt in root.filters and all(flt in h.filters for h in root.handlers)


@pytest.mark.asyncio
async def test_the_privacy_page_says_what_why_how_long_who_and_how_to_delete_in_dutch_and_english(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/privacy")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for phrase in ("Wat bewaren wij?", "Waarom?", "Hoe lang?", "90 dagen", "Wie ziet het?", "regievoerder",
                   "verwijder mijn gegevens", "/verwijder", "Stuur nooit uw BSN"):
        assert phrase in page
    page = (await client.get("/privacy", params={"lang": "en"})).text
    for phrase in ("What do we store?", "How long?", "90 days", "Who sees it?", "No BSN needed"):
        assert phrase in page


@pytest.mark.asyncio
async def test_the_web_chat_links_to_the_privacy_page(client: httpx.AsyncClient) -> None:
    assert 'href="/privacy?lang=nl"' in (await client.get("/")).text
