"""Tenancy: which municipality a conversation belongs to, decided by the gateway (gateway/core/tenancy.py).

The three example municipalities of knowledge/municipalities/ (Voorbeeldstad, Rivierdam with the
places Dijkzicht, Lage Waard and Veerhaven, Heidebeek with Berkenveld, Zandhoeve and Ter Heide).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from gateway.core.config import Settings
from gateway.core.conversation import ConversationService
from gateway.core.models import Conversation, Message
from gateway.core.tenancy import CHOICE_PREFIX, QUESTION_KEY, Tenancy
from knowledge import texts
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A shared channel asks (WEGWIJS_ASK_MUNICIPALITY=true)."""
    return make_settings(tmp_path, ask_municipality=True)


@pytest.fixture
def tenancy(settings: Settings) -> Tenancy:
    return Tenancy.from_settings(settings)


def service_of(app: FastAPI) -> ConversationService:
    return app.state.conversations


def municipality_of(app: FastAPI, user: str) -> str | None:
    with service_of(app).session_factory() as session:
        return session.scalars(select(Conversation.municipality).where(Conversation.channel_user_id == user)).one()


def engine_municipalities(fake: FakeRasa) -> list[tuple[str, str]]:
    return [(r.body["message"], r.body["metadata"]["municipality"]) for r in fake.messages]


# -- fuzzy matching and "ik woon in" ----------------------------------------------------------
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Rivierdam", "rivierdam"),
        ("rivierdm", "rivierdam"),  # a typo
        ("Dijkzicht", "rivierdam"),  # a place of the municipality
        ("in lage waard", "rivierdam"),
        ("Zandhoef", "heidebeek"),
        ("ter heide", "heidebeek"),
        ("Oud-Voorbeeld", "voorbeeldstad"),
        ("Rotterdam", None),
        ("hoi", None),
        ("hoeveel tijd heb ik om in te burgeren als ik ziek ben", None),  # a question, not a name
    ],
)
def test_a_typed_name_or_place_finds_its_municipality(tenancy: Tenancy, answer: str, expected: str | None) -> None:
    assert tenancy.match(answer) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ik woon in Dijkzicht", (True, "rivierdam", False)),
        ("Ik woon nu in heidebek", (True, "heidebeek", False)),
        ("I live in Veerhaven", (True, "rivierdam", False)),
        ("Zandhoeve'de oturuyorum", (True, "heidebeek", False)),
        ("أسكن في Voorbeeldstad", (True, "voorbeeldstad", False)),
        ("moro em Berkenveld", (True, "heidebeek", False)),
        ("ik woon in Parijs", (True, None, False)),
        ("ik woon in Rivierdam, moet ik inburgeren?", (True, "rivierdam", True)),
        ("ik woon in Utrecht, hoeveel tijd heb ik?", (False, None, False)),
        ("hoeveel tijd heb ik?", (False, None, False)),
    ],
)
def test_saying_where_one_lives_in_each_language(
    tenancy: Tenancy, text: str, expected: tuple[bool, str | None, bool]
) -> None:
    assert tenancy.statement(text) == expected


def test_the_channels_decide_by_address_number_and_bot(tenancy: Tenancy, tmp_path: Path) -> None:
    assert tenancy.by_webchat("rivierdam") == "rivierdam" and tenancy.by_webchat("Heidebeek") == "heidebeek"
    assert tenancy.by_webchat("amsterdam") is None
    numbers = tenancy.whatsapp_numbers()
    assert numbers and all(tenancy.for_whatsapp(n) == m for n, m in numbers.items())
    assert tenancy.for_whatsapp("999") is None  # shared: ask
    assert tenancy.for_telegram("rivierdam_wegwijs_bot") == "rivierdam"
    assert tenancy.for_telegram("some_other_bot") is None
    quiet = Tenancy.from_settings(make_settings(tmp_path, telegram_municipality="heidebeek"))
    assert quiet.for_whatsapp("999") == "voorbeeldstad"  # not asking: the default
    assert quiet.for_telegram("some_other_bot") == "heidebeek"


# -- the gateway asks once on a shared channel -------------------------------------------------
@pytest.mark.asyncio
async def test_a_shared_channel_asks_once_accepts_a_typo_and_then_answers_the_first_question(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    service = service_of(app)
    first = await service.handle_user_message(channel="telegram", channel_user_id="7", text="Hoeveel tijd heb ik?")
    [question] = first
    assert question.text == texts.text("tenancy.ask", "nl")
    assert [b.title for b in question.buttons] == ["Heidebeek", "Rivierdam", "Voorbeeldstad"]
    assert fake_rasa.messages == []  # the engine waits for the municipality
    assert municipality_of(app, "7") is None

    answer = await service.handle_user_message(channel="telegram", channel_user_id="7", text="rivierdm")
    assert [m.text for m in answer] == [
        texts.text("tenancy.chosen", "nl", municipality="Rivierdam"),
        "Antwoord op: Hoeveel tijd heb ik?",  # the first message, not lost
    ]
    assert answer[0].id is not None and answer[1].id is not None and answer[0].id < answer[1].id
    assert municipality_of(app, "7") == "rivierdam"

    later = await service.handle_user_message(channel="telegram", channel_user_id="7", text="Rotterdam")
    assert [m.text for m in later] == ["Antwoord op: Rotterdam"]  # never asked again
    assert engine_municipalities(fake_rasa) == [("Hoeveel tijd heb ik?", "rivierdam"), ("Rotterdam", "rivierdam")]


@pytest.mark.asyncio
async def test_an_unknown_answer_asks_again_and_a_button_decides(app: FastAPI, fake_rasa: FakeRasa) -> None:
    service = service_of(app)
    await service.handle_user_message(channel="telegram", channel_user_id="8", text="hallo")
    [again] = await service.handle_user_message(channel="telegram", channel_user_id="8", text="Amsterdam")
    assert again.text == texts.text("tenancy.not_recognised", "nl")
    with service.session_factory() as session:
        first_id = session.scalars(select(Message.id).where(Message.text == "hallo")).one()
    assert again.data == {QUESTION_KEY: first_id, "attempt": 2}
    replies = await service.handle_user_message(
        channel="telegram", channel_user_id="8", text=f"{CHOICE_PREFIX}heidebeek", display_text="Heidebeek"
    )
    assert [m.text for m in replies][-1] == "Antwoord op: hallo"
    assert municipality_of(app, "8") == "heidebeek"
    assert engine_municipalities(fake_rasa) == [("hallo", "heidebeek")]


@pytest.mark.asyncio
async def test_after_three_unknown_answers_the_default_is_assumed_and_said(app: FastAPI, fake_rasa: FakeRasa) -> None:
    service = service_of(app)
    await service.handle_user_message(channel="telegram", channel_user_id="9", text="hallo")
    for text in ("Parijs", "Berlijn"):
        await service.handle_user_message(channel="telegram", channel_user_id="9", text=text)
    replies = await service.handle_user_message(channel="telegram", channel_user_id="9", text="Londen")
    assert replies[0].text == texts.text("tenancy.assumed", "nl", municipality="Voorbeeldstad")
    assert municipality_of(app, "9") == "voorbeeldstad"
    assert engine_municipalities(fake_rasa) == [("hallo", "voorbeeldstad")]


@pytest.mark.asyncio
async def test_a_first_message_that_names_the_place_is_enough(app: FastAPI, fake_rasa: FakeRasa) -> None:
    replies = await service_of(app).handle_user_message(
        channel="telegram", channel_user_id="10", text="ik woon in Berkenveld"
    )
    assert [m.text for m in replies] == [texts.text("tenancy.chosen", "nl", municipality="Heidebeek")]
    assert municipality_of(app, "10") == "heidebeek" and fake_rasa.messages == []


# -- the user corrects it -----------------------------------------------------------------------
@pytest.mark.asyncio
async def test_ik_woon_in_corrects_the_channels_decision_and_sticks(app: FastAPI, fake_rasa: FakeRasa) -> None:
    service = service_of(app)
    await service.handle_user_message(channel="web", channel_user_id="web-user-1", text="hoi", municipality="voorbeeldstad")
    [changed] = await service.handle_user_message(
        channel="web", channel_user_id="web-user-1", text="Ik woon in Dijkzicht", municipality="voorbeeldstad"
    )
    assert changed.text == texts.text("tenancy.changed", "nl", municipality="Rivierdam")
    # the address still says Voorbeeldstad: the user's own word wins
    await service.handle_user_message(channel="web", channel_user_id="web-user-1", text="en nu?", municipality="voorbeeldstad")
    assert municipality_of(app, "web-user-1") == "rivierdam"
    assert engine_municipalities(fake_rasa) == [("hoi", "voorbeeldstad"), ("en nu?", "rivierdam")]


@pytest.mark.asyncio
async def test_a_correction_with_a_question_answers_the_question_for_the_new_municipality(
    app: FastAPI, fake_rasa: FakeRasa
) -> None:
    service = service_of(app)
    await service.handle_user_message(channel="web", channel_user_id="web-user-2", text="hoi", municipality="voorbeeldstad")
    replies = await service.handle_user_message(
        channel="web", channel_user_id="web-user-2", text="I live in Heidebeek, where is the language café?",
        municipality="voorbeeldstad",
    )
    assert [m.text for m in replies][-1] == "Antwoord op: I live in Heidebeek, where is the language café?"
    assert engine_municipalities(fake_rasa)[-1][1] == "heidebeek"


@pytest.mark.asyncio
async def test_an_unknown_place_is_not_taken_and_the_list_is_offered(app: FastAPI, fake_rasa: FakeRasa) -> None:
    service = service_of(app)
    await service.handle_user_message(channel="web", channel_user_id="web-user-3", text="hoi", municipality="rivierdam")
    [reply] = await service.handle_user_message(
        channel="web", channel_user_id="web-user-3", text="ik woon in Parijs", municipality="rivierdam"
    )
    assert reply.text == texts.text("tenancy.unknown_place", "nl") and len(reply.buttons) == 3
    assert municipality_of(app, "web-user-3") == "rivierdam"
