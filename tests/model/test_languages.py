"""One conversation per language against the trained model: the language word, a greeting, a FAQ
question, a deadline question with a date written in that language (answer, timeline PNG) and the
request for a person (consent asked in that language). Through the web chat and Rasa's REST channel."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from conftest import texts

from knowledge import build, languages, loader
from knowledge.deadlines import format_date

# per language: the word that switches, a greeting, a question about the term, a deadline question
# with a PIP date written the way people write it there (12 May 2024), and a request for a person
CONVERSATIONS = {
    "nl": ("Nederlands", "hallo", "hoe lang heb ik de tijd om in te burgeren?",
           "mijn pip is van 12 mei 2024, tot wanneer heb ik tijd?", "ik wil met een mens praten"),
    "en": ("English", "hello", "how much time do I have to finish my integration?",
           "my PIP is dated 12 May 2024, when does my term end?", "I want to talk to a real person"),
    "tr": ("Türkçe", "merhaba", "inburgering için ne kadar sürem var?",
           "pip tarihim 12 mayıs 2024, sürem ne zaman bitiyor?", "gerçek bir insanla konuşmak istiyorum"),
    "ar": ("العربية", "مرحبا", "كم من الوقت لدي لإنهاء الاندماج inburgering؟",
           "تاريخ الـ PIP ديالي 12 مايو 2024، امتى تنتهي المدة ديالي؟", "أريد التحدث مع موظف حقيقي"),
    "pt": ("Português", "olá", "quanto tempo eu tenho para fazer a inburgering?",
           "meu PIP é de 12 de maio de 2024, quando termina o meu prazo?", "quero falar com uma pessoa de verdade"),
}


def first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip()


@pytest.mark.parametrize("lang", list(CONVERSATIONS))
def test_a_whole_conversation_in_each_language_through_the_web_chat(stack, lang):
    switch, hello, question, deadline, human = CONVERSATIONS[lang]
    municipality = loader.load_municipality()
    dialogue = loader.load_dialogue()
    session = uuid.uuid4().hex
    switched = texts(stack.chat(session, switch))
    assert first_line(build.render(dialogue["utter_language_switched"][lang], {})) in switched

    greeting = stack.chat(session, hello)
    assert first_line(build.render(dialogue["utter_greet"][lang], municipality.template_context())) in texts(greeting)

    answer = texts(stack.chat(session, question))
    termijn = loader.load_faqs()["termijn"]
    assert first_line(termijn.text("answer", lang)) in answer

    messages = stack.chat(session, deadline)
    assert format_date(dt.date(2027, 5, 12), lang) in texts(messages)
    image = next(m["image_url"] for m in messages if m.get("image_url"))
    png = httpx.get(image, timeout=30)
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"

    consent = texts(stack.chat(session, human))
    expected = build.render(dialogue["utter_handoff_consent"][lang], municipality.template_context())
    assert first_line(expected) in consent


@pytest.mark.parametrize("lang", list(CONVERSATIONS))
def test_the_faq_question_is_understood_in_each_language_without_switching_first(stack, lang):
    question = CONVERSATIONS[lang][2]
    parse = stack.parse(question)
    assert parse["intent"]["name"] == "faq"
    assert parse["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/termijn"
    # the message's own language is recognised, so the answer comes in it
    assert any(e["entity"] == "language" and e["value"] == lang for e in parse["entities"])


@pytest.mark.parametrize("lang", [code for code in languages.CODES if code != "nl"])
def test_bad_input_gets_a_polite_answer_in_the_users_language(stack, lang):
    switch = CONVERSATIONS[lang][0]
    session = uuid.uuid4().hex
    stack.chat(session, switch)
    default = first_line(loader.load_dialogue()["utter_default"][lang])
    for text in ("😀😀😀", "zxqv ЖЖЖ 多多 ققق", "x" * 1999):
        reply = texts(stack.chat(session, text))
        assert reply.strip(), text[:20]
        # the fallback or out-of-scope answer, in the user's language, never a crash
        assert default in reply or first_line(loader.load_dialogue()["utter_out_of_scope"][lang]) in reply
    too_long = httpx.post(f"{stack.gateway_url}/webchat/api/messages",
                          json={"session_id": session, "text": "x" * 10_000}, timeout=30)
    assert too_long.status_code == 422
    empty = httpx.post(f"{stack.gateway_url}/webchat/api/messages",
                       json={"session_id": session, "text": "   "}, timeout=30)
    assert empty.status_code == 422
