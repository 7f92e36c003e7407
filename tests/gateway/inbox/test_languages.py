"""Handoff in five languages: consultants record the languages they speak, the queue filters and
marks on them, Arabic reads right to left, and notifications name the user's language."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gateway.core import crud as core_crud
from gateway.core.db import make_engine, make_session_factory
from gateway.inbox.__main__ import main
from gateway.inbox.models import Consultant, Ticket
from gateway.inbox.notify import TicketNotice
from knowledge.texts import text
from tests.gateway.inbox.test_notify import MailSink, WebhookReceiver, smtp_sink, webhook_receiver  # noqa: F401 - fixtures
from tests.support.fake_rasa import FakeRasa
from tests.support.inbox import (
    Gateway,
    add_consultant,
    chat,
    handoff_payload,
    login,
    make_settings,
    running,
    scripted_reply,
)

NOT_SPOKEN = text("inbox.language_not_spoken", "nl")
ARABIC = "مرحبا، متى تنتهي مدة الاندماج الخاصة بي؟"


def set_languages(gateway: Gateway, value: str, email: str = "anna@voorbeeldstad.nl") -> None:
    with gateway.db() as session:
        consultant = session.scalars(select(Consultant).where(Consultant.email == email)).one()
        consultant.languages = value
        session.commit()


def add_ticket(gateway: Gateway, language: str, user_text: str | None = None) -> int:
    """A waiting ticket of a new web conversation in `language` (with one user message)."""
    with gateway.db() as session:
        conversation = core_crud.get_or_create_conversation(
            session=session, channel="web", channel_user_id=f"user-{language}-{id(object())}"
        )
        conversation.language = language
        ticket = Ticket(
            conversation_id=conversation.id, state="waiting", reason="user_request", language=language,
            channel="web", channel_user_id=conversation.channel_user_id, slots={}, first_message_id=0,
            user_acknowledged=False, resume_pending=False, summary=f"Vraag in {language}",
        )
        session.add(ticket)
        if user_text:
            core_crud.add_message(
                session=session, conversation_id=conversation.id, direction="in", sender="user", text=user_text
            )
        session.commit()
        return ticket.id


async def test_my_languages_filter_returns_only_tickets_in_the_consultants_languages(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    set_languages(gateway, "nl,tr")
    ids = {lang: add_ticket(gateway, lang) for lang in ("nl", "tr", "ar", "pt", "en")}
    await login(gateway.client)

    everything = (await gateway.client.get("/inbox/api/tickets")).json()
    assert {t["language"] for t in everything["tickets"]} == {"nl", "tr", "ar", "pt", "en"}
    assert everything["my_languages"] is False

    mine = (await gateway.client.get("/inbox/api/tickets", params={"my_languages": "1"})).json()
    assert sorted(t["id"] for t in mine["tickets"]) == sorted([ids["nl"], ids["tr"]])
    assert mine["my_languages"] is True and mine["spoken"] == ["nl", "tr"]

    # the page keeps the filter in the query string: checkbox checked, refresh URL with the filter
    page = (await gateway.client.get("/inbox", params={"view": "all", "my_languages": "1"})).text
    assert re.search(r'name="my_languages" value="1" id="my-languages-filter"\s+checked', page)
    assert "data-poll=\"/inbox/api/tickets?view=all&amp;language=&amp;reason=&amp;my_languages=1\"" in page
    assert f"/inbox/tickets/{ids['tr']}" in page and f"/inbox/tickets/{ids['ar']}" not in page
    # combined with the one-language filter
    only_ar = (await gateway.client.get("/inbox/api/tickets", params={"my_languages": "1", "language": "ar"})).json()
    assert only_ar["tickets"] == []


async def test_a_ticket_in_a_language_the_consultant_does_not_speak_is_marked(gateway: Gateway) -> None:
    add_consultant(gateway.app)  # speaks Dutch only (the default)
    nl_ticket = add_ticket(gateway, "nl")
    ar_ticket = add_ticket(gateway, "ar", user_text=ARABIC)
    tr_ticket = add_ticket(gateway, "tr")
    await login(gateway.client)

    queue = (await gateway.client.get("/inbox")).text
    rows = {int(m.group(1)): m.group(0) for m in re.finditer(r'<a href="/inbox/tickets/(\d+)">.*?</a>', queue, re.S)}
    assert NOT_SPOKEN in rows[ar_ticket] and NOT_SPOKEN in rows[tr_ticket]
    assert NOT_SPOKEN not in rows[nl_ticket]
    # each language by its own name
    assert "العربية" in rows[ar_ticket] and "Türkçe" in rows[tr_ticket] and "Nederlands" in rows[nl_ticket]

    api = {t["id"]: t for t in (await gateway.client.get("/inbox/api/tickets")).json()["tickets"]}
    assert api[ar_ticket]["language_marker"] == NOT_SPOKEN and api[ar_ticket]["language_spoken"] is False
    assert api[ar_ticket]["language_dir"] == "rtl" and api[ar_ticket]["language_label"] == "العربية"
    assert api[nl_ticket]["language_marker"] == "" and api[nl_ticket]["language_spoken"] is True

    page = (await gateway.client.get(f"/inbox/tickets/{ar_ticket}")).text
    assert 'id="language-marker"' in page and NOT_SPOKEN in page
    assert "vertaalt niet automatisch" in page and "Nederlands of Engels" in page
    assert f'<p dir="auto">{ARABIC}</p>' in page  # Arabic user text reads right to left
    nl_page = (await gateway.client.get(f"/inbox/tickets/{nl_ticket}")).text
    assert NOT_SPOKEN not in nl_page and "vertaalt niet automatisch" not in nl_page


async def test_the_consultant_sets_their_languages_with_the_form_on_the_queue_page(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    ar_ticket = add_ticket(gateway, "ar")
    csrf = await login(gateway.client)
    queue = (await gateway.client.get("/inbox")).text
    assert 'action="/inbox/languages"' in queue and 'name="languages" value="ar"' in queue

    refused = await gateway.client.post("/inbox/languages", data={"languages": ["nl", "ar"], "next": "/inbox"})
    assert refused.status_code == 403  # no CSRF token

    saved = await gateway.client.post(
        "/inbox/languages",
        data={"languages": ["ar", "nl"], "next": "/inbox?view=all&my_languages=1", "csrf_token": csrf},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/inbox?view=all&my_languages=1"
    with gateway.db() as session:
        assert session.scalars(select(Consultant.languages)).one() == "nl,ar"
    page = (await gateway.client.get(saved.headers["location"])).text
    assert "Uw talen zijn opgeslagen: Nederlands, العربية." in page
    assert f"/inbox/tickets/{ar_ticket}" in page and NOT_SPOKEN not in page

    for bad in ([], ["xx"]):
        response = await gateway.client.post(
            "/inbox/languages", data={"languages": bad, "next": "https://evil.example/", "csrf_token": csrf}
        )
        assert response.status_code == 303 and response.headers["location"] == "/inbox"
        assert text("inbox.my_languages_none", "nl") in (await gateway.client.get("/inbox")).text
    with gateway.db() as session:
        assert session.scalars(select(Consultant.languages)).one() == "nl,ar"


def test_the_cli_sets_the_languages_of_a_consultant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path)

    def create(email: str, *extra: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO("een lang geheim wachtwoord\n"))
        return main(["create-consultant", "--email", email, "--name", "X", "--password-stdin", *extra], settings)

    assert create("anna@voorbeeldstad.nl", "--languages", "tr, NL") == 0
    assert create("bram@voorbeeldstad.nl") == 0
    assert create("cas@voorbeeldstad.nl", "--languages", "nl,xx") == 2
    assert "unknown language code(s): xx" in capsys.readouterr().err
    assert main(["set-languages", "--email", "Bram@voorbeeldstad.nl", "--languages", "ar,en"], settings) == 0
    assert "speaks: en,ar" in capsys.readouterr().out
    assert main(["set-languages", "--email", "bram@voorbeeldstad.nl", "--languages", ""], settings) == 2
    assert main(["set-languages", "--email", "nobody@voorbeeldstad.nl", "--languages", "nl"], settings) == 2

    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        spoken = dict(session.execute(select(Consultant.email, Consultant.languages)).all())
    engine.dispose()
    assert spoken == {"anna@voorbeeldstad.nl": "nl,tr", "bram@voorbeeldstad.nl": "en,ar"}


def test_the_notice_names_the_language_by_code_and_own_name() -> None:
    notice = TicketNotice(ticket_id=7, reason="fallback", language="ar", url="http://x/inbox/tickets/7")
    assert notice.as_json()["language"] == "ar" and notice.as_json()["language_name"] == "العربية"


def turkish_reply(body: dict[str, Any]) -> list[dict[str, Any]]:
    if body["message"].strip().lower() == "evet":
        return [{"recipient_id": body["sender"], "custom": handoff_payload(lang="tr")}]
    return scripted_reply(body)


async def test_notifications_of_a_new_ticket_say_the_users_language(
    tmp_path: Path, smtp_sink: tuple[MailSink, int], webhook_receiver: WebhookReceiver  # noqa: F811
) -> None:
    sink, port = smtp_sink
    settings = make_settings(
        tmp_path,
        smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_from="wegwijs@voorbeeldstad.nl",
        smtp_to="team@voorbeeldstad.nl",
        handoff_webhook_url=webhook_receiver.url, handoff_webhook_secret="webhook-signing-secret",
    )
    async with running(settings, FakeRasa(reply=turkish_reply)) as (app, client):
        await chat(client, "Merhaba")
        await chat(client, "evet")
        await app.state.handoff.notifier.drain()
        with app.state.session_factory() as session:
            assert session.scalars(select(Ticket.language)).one() == "tr"

    [(_, body)] = webhook_receiver.requests
    payload = json.loads(body)
    assert payload["language"] == "tr" and payload["language_name"] == "Türkçe"
    [(_, mail)] = sink.messages
    assert "Taal van de gebruiker: Türkçe (tr)" in mail.get_payload(decode=True).decode()

