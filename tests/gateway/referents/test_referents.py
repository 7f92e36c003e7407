"""The referent: she shares her dates by a one-time code, he sees her timeline and dates (and nothing
else), reminder copies only when she chose them, she revokes, erasing either person ends it."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI

from gateway.core.models import utcnow
from gateway.privacy import delete_user_data
from gateway.referents.service import CODE_LIFETIME, MAX_WRONG, code_hash
from gateway.referents.texts import (
    ACCESS_ENDED,
    CODE_EXPIRED,
    CODE_INVALID,
    CODE_OWN,
    CODE_USED,
    EXPLAIN,
    LINKED,
    MIGRANT_LINKED,
    NO_DATES,
    NOT_LINKED,
    PARTNER_LEFT,
    REMINDER_COPY,
    STOPPED,
    TOO_MANY,
)
from gateway.reminders.handlers import COMMAND as REMINDERS_COMMAND
from gateway.reminders.models import Reminder
from knowledge.deadlines import compute, format_date
from tests.gateway.referents.helpers import (
    CODE,
    INPUT,
    SECRET_QUESTION,
    bot_sends_deadlines,
    codes,
    conversation_id,
    history,
    links,
    path_of,
    say,
    share,
    transcript,
)
from tests.support.fake_rasa import FakeRasa

pytestmark = pytest.mark.asyncio
HER, HIM = "migrant-web-1", "referent-web-1"
DATES = compute(INPUT)["dates"]


# -- the code -----------------------------------------------------------------------------
async def test_without_a_deadline_answer_she_is_told_how_to_get_one_and_no_code_is_made(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    for words in ("delen met mijn partner", "/delen", "Share with my partner", "eşimle paylaş"):
        (answer,) = await say(client, HER, words)
        assert answer["text"] == NO_DATES["nl"]
    assert codes(app) == [] and fake_rasa.messages == []


async def test_she_gets_an_explanation_a_choice_and_a_code_valid_48_hours_stored_only_as_a_hash(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HER, "/ask_deadlines")
    (explain,) = await say(client, HER, "Delen met mijn partner!")
    assert explain["text"].startswith(EXPLAIN["nl"])
    assert "niet uw berichten" in explain["text"]  # what he will not see
    assert [b["title"] for b in explain["buttons"]] == ["Met herinneringen", "Zonder herinneringen"]
    code_message, howto = await say(client, HER, explain["buttons"][0]["payload"])
    code = CODE.search(code_message["text"]).group(0)  # type: ignore[union-attr]
    assert "Uw partner krijgt ook uw herinneringen." in howto["text"]
    (row,) = codes(app)
    assert row.expires_at - row.created_at == CODE_LIFETIME == timedelta(hours=48)
    assert row.share_reminders is True and row.used_at is None
    assert row.code_hash == code_hash("test-secret-key", code) and code[3:].replace("-", "") not in row.code_hash
    assert len(fake_rasa.messages) == 1  # only the deadline question reached the engine


async def test_a_new_code_replaces_her_unused_one(app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    bot_sends_deadlines(fake_rasa)
    first = await share(client, HER)
    second = await share(client, HER)
    assert first != second and len(codes(app)) == 1
    (answer,) = await say(client, HIM, first)
    assert answer["text"] == CODE_INVALID["nl"]


async def test_the_code_works_until_the_moment_before_expiry_and_not_at_expiry(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HER, "/ask_deadlines")
    await say(client, "referent-a", "hallo")
    await say(client, "referent-b", "hallo")
    referents = app.state.referents
    her = conversation_id(app, HER)
    now = utcnow()
    code_a, expires_a = referents.create_code(her, False, now=now)
    assert expires_a == now + timedelta(hours=48)
    assert referents.redeem(conversation_id(app, "referent-a"), code_a, now=expires_a - timedelta(seconds=1)).outcome == "linked"
    code_b, expires_b = referents.create_code(her, False, now=now)
    assert referents.redeem(conversation_id(app, "referent-b"), code_b, now=expires_b).outcome == "expired"
    assert len(links(app)) == 1


async def test_a_code_works_once(app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    bot_sends_deadlines(fake_rasa)
    code = await share(client, HER)
    (first,) = await say(client, HIM, code)
    assert first["text"].startswith(LINKED["nl"])
    (second,) = await say(client, "someone-else", code)
    assert second["text"] == CODE_USED["nl"]
    assert [(link.referent_conversation_id) for link in links(app)] == [conversation_id(app, HIM)]


async def test_her_own_code_is_not_used_up(app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    bot_sends_deadlines(fake_rasa)
    code = await share(client, HER)
    (answer,) = await say(client, HER, code)
    assert answer["text"] == CODE_OWN["nl"] and links(app) == []
    (linked,) = await say(client, HIM, code.lower().replace("-", " "))
    assert linked["text"].startswith(LINKED["nl"])


async def test_an_expired_code_is_refused_politely_in_his_language(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HER, "/ask_deadlines")
    code, _ = app.state.referents.create_code(conversation_id(app, HER), False, now=utcnow() - timedelta(hours=49))
    (answer,) = await say(client, HIM, code, lang="tr")
    assert answer["text"] == CODE_EXPIRED["tr"] != CODE_EXPIRED["nl"]
    assert links(app) == []


async def test_guessing_is_limited_to_five_wrong_codes_an_hour_and_nothing_is_lost(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    code = await share(client, HER)
    for attempt in range(MAX_WRONG):
        (answer,) = await say(client, HIM, f"WW-22222-2222{attempt + 2}")
        assert answer["text"] == CODE_INVALID["nl"]
    (refused,) = await say(client, HIM, code)  # even the right code, until the hour is over
    assert refused["text"] == TOO_MANY["nl"] and links(app) == []
    assert codes(app)[0].used_at is None  # her code is still good
    later = utcnow() + timedelta(hours=1, seconds=1)
    assert app.state.referents.redeem(conversation_id(app, HIM), code, now=later).outcome == "linked"
    # every message was stored, none reached the engine
    assert [m["text"] for m in await history(client, HIM) if m["direction"] == "in"][-1] == code
    assert all(m.body["sender"] != conversation_id(app, HIM) for m in fake_rasa.messages)


# -- what he sees ----------------------------------------------------------------------------
async def test_he_sees_her_timeline_and_legal_dates_in_his_language_and_nothing_of_her_messages(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HER, SECRET_QUESTION)
    code = await share(client, HER)
    (linked,) = await say(client, HIM, code, lang="en")
    assert linked["text"].startswith(LINKED["en"])
    assert [m["text"] for m in await history(client, HER)][-1] == MIGRANT_LINKED["nl"]  # she is told

    image, dates = await say(client, HIM, linked["buttons"][0]["payload"])  # the "Partner dates" button
    assert dates["text"].startswith("The important dates of your partner:")
    assert format_date(DATES["termijn_end"], "en") in dates["text"]
    assert format_date(DATES["mvv_collect_by"], "en") in dates["text"]
    png = await client.get(path_of(image["image_url"]))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert (await say(client, HIM, "her dates"))[1]["text"] == dates["text"]  # the words work too

    his = " ".join(m.text or "" for m in transcript(app, conversation_id(app, HIM)))
    his += " ".join(str(m.payload) for m in transcript(app, conversation_id(app, HIM)))
    assert SECRET_QUESTION not in his and "Dit zijn uw termijnen" not in his and "2027-03-15" not in his


async def test_the_picture_link_is_signed_for_his_language(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HIM, await share(client, HER))
    image, _ = await say(client, HIM, "/haar_data")
    url = path_of(image["image_url"])
    assert "l=nl" in url
    assert (await client.get(url.replace("l=nl", "l=en"))).status_code == 404
    assert (await client.get(url.replace("sig=", "sig=0"))).status_code == 404


async def test_someone_without_a_link_is_told_to_ask_for_a_code(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    (answer,) = await say(client, HIM, "data van mijn partner")
    assert answer["text"] == NOT_LINKED["nl"]


# -- reminders -----------------------------------------------------------------------------
class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, conversation, messages) -> None:  # noqa: ANN001
        self.sent.extend((conversation.channel_user_id, m.text or "") for m in messages)


async def opt_in_reminders(client: httpx.AsyncClient, session_id: str) -> dict:
    (answer,) = await say(client, session_id, await reminder_yes(client, session_id))
    return answer


async def reminder_yes(client: httpx.AsyncClient, session_id: str) -> str:
    """The payload of "Ja" on the reminder offer of a new deadline answer."""
    messages = await say(client, session_id, "/ask_deadlines")
    buttons = [b["payload"] for m in messages for b in m["buttons"]]
    return next(p for p in buttons if p.startswith(REMINDERS_COMMAND) and '"on": true' in p)


async def test_he_gets_copies_of_her_reminders_only_when_she_chose_so(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    answer = await opt_in_reminders(client, "her-with")
    assert answer["buttons"][-1]["payload"] == "/delen"  # the answer to the reminder offer offers sharing
    await opt_in_reminders(client, "her-without")
    await say(client, "him-with", await share(client, "her-with", reminders=True), lang="en")
    await say(client, "him-without", await share(client, "her-without", reminders=False))
    sender = RecordingSender()
    app.state.conversations.register_sender("web", sender)

    with app.state.session_factory() as session:
        first = min(session.query(Reminder).all(), key=lambda r: r.send_at)
    assert await app.state.reminders.send_due(now=first.send_at + timedelta(minutes=1)) == 2

    receivers = [who for who, _ in sender.sent]
    assert sorted(receivers) == ["her-with", "her-without", "him-with"]
    copy = next(text for who, text in sender.sent if who == "him-with")
    assert copy.startswith(REMINDER_COPY["en"]) and format_date(date.fromisoformat(DATES["mvv_collect_by"]), "en") in copy


async def test_the_reminder_answer_offers_sharing_only_while_she_does_not_share(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HIM, await share(client, HER))
    (answer,) = await say(client, HER, await reminder_yes(client, HER))
    assert answer["text"].startswith("Goed. U krijgt")
    assert all(b["payload"] != "/delen" for b in answer["buttons"])


# -- ending ---------------------------------------------------------------------------------
async def test_she_revokes_he_is_told_and_sees_nothing_afterwards(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HIM, await share(client, HER))
    image, _ = await say(client, HIM, "/haar_data")
    (stopped,) = await say(client, HER, "stop delen")
    assert stopped["text"] == STOPPED["nl"]
    his = await history(client, HIM)
    assert his[-1]["text"] == ACCESS_ENDED["nl"]
    assert not any("belangrijke data" in (m["text"] or "") for m in his)  # the stored copies are gone
    assert not any(m["image_url"] for m in his)
    assert (await client.get(path_of(image["image_url"]))).status_code == 404
    (answer,) = await say(client, HIM, "/haar_data")
    assert answer["text"] == NOT_LINKED["nl"]
    (link,) = links(app)
    assert link.revoked_at is not None


async def test_he_can_stop_seeing_her_dates_and_she_is_told(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HIM, await share(client, HER))
    (answer,) = await say(client, HIM, "stop delen")
    assert answer["text"] == ACCESS_ENDED["nl"]
    assert (await history(client, HER))[-1]["text"] == PARTNER_LEFT["nl"]


async def test_when_she_erases_her_data_the_link_is_gone_and_he_is_told(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HIM, await share(client, HER))
    image, _ = await say(client, HIM, "/haar_data")
    await say(client, HER, "/delete_my_data")
    assert links(app) == [] and codes(app) == []
    assert (await history(client, HIM))[-1]["text"] == ACCESS_ENDED["nl"]
    assert (await client.get(path_of(image["image_url"]))).status_code == 404


async def test_when_he_erases_his_data_the_link_is_gone(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HIM, await share(client, HER))
    with app.state.session_factory() as session:
        delete_user_data(session, conversation_id(app, HIM), tracker_url=None)
    assert links(app) == []


async def test_erasing_her_conversation_directly_removes_links_and_codes_by_the_foreign_keys(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    bot_sends_deadlines(fake_rasa)
    await say(client, HIM, await share(client, HER))
    await share(client, HER)  # an open code too
    assert len(links(app)) == 1 and len(codes(app)) == 2
    with app.state.session_factory() as session:
        delete_user_data(session, conversation_id(app, HER), tracker_url=None)
    assert links(app) == [] and codes(app) == []
