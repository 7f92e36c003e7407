"""Whole conversations against the trained model, through Rasa's REST channel and the web chat."""

from __future__ import annotations

import uuid

from conftest import texts


def new_user() -> str:
    return uuid.uuid4().hex


def test_parse_returns_the_faq_retrieval_key_for_a_faq_question(stack):
    parse = stack.parse("hoe lang heb ik de tijd om in te burgeren?")
    assert parse["intent"]["name"] == "faq"
    assert parse["response_selector"]["faq"]["response"]["intent_response_key"].startswith("faq/")


def test_a_faq_answer_has_a_source_link_and_related_topic_buttons(stack):
    replies = stack.rest(new_user(), "wat kost inburgeren voor mij?")
    assert "Bron: https://" in replies[0]["text"]
    assert 2 <= len(replies[0]["buttons"]) <= 5


def test_the_greeting_explains_what_the_assistant_does(stack):
    replies = stack.rest(new_user(), "hallo")
    assert "Wegwijs" in replies[0]["text"] and replies[0]["buttons"]


def test_an_english_question_gets_an_english_answer(stack):
    replies = stack.rest(new_user(), "how much does the integration cost for me?")
    assert "Source: https://" in replies[0]["text"]


def test_the_user_can_switch_to_english_and_back(stack):
    user = new_user()
    assert "English" in texts(stack.rest(user, "Engels graag"))  # asked in Dutch, answered in English
    assert "Source: https://" in texts(stack.rest(user, "/choose_topic{\"faq_topic\": \"kosten\"}"))
    assert "Nederlands" in texts(stack.rest(user, "Nederlands graag"))
    assert "Bron: https://" in texts(stack.rest(user, "/choose_topic{\"faq_topic\": \"kosten\"}"))


def test_deadline_question_with_pip_date_answers_28_february_2027_in_dutch(stack):
    replies = stack.rest(new_user(), "wanneer moet ik klaar zijn? mijn pip is van 28 februari 2024")
    assert "28 februari 2027" in texts(replies)
    assert any((r.get("custom") or {}).get("wegwijs", {}).get("type") == "deadlines" for r in replies)


def test_deadline_question_with_pip_date_answers_28_february_2027_in_english(stack):
    replies = stack.rest(new_user(), "when do I have to be finished? my PIP is from 28 February 2024")
    assert "28 February 2027" in texts(replies)


def test_hours_and_exams_report_what_is_missing_for_afschalen_and_verlenging(stack):
    text = ("mijn pip is van 12 mei 2024. ik heb 330 uur les gehad waarvan 100 uur online "
            "en 1 examen gehaald. kan ik verlenging krijgen?")
    answer = texts(stack.rest(new_user(), text))
    assert "nog 120 uur les" in answer  # verlenging: 450 - 330
    assert "nog 270 uur les" in answer  # afschalen: 600 - 330


def test_an_impossible_date_is_asked_again_and_then_accepted(stack):
    user = new_user()
    first = texts(stack.rest(user, "bereken mijn einddatum"))
    assert "PIP" in first
    again = texts(stack.rest(user, "30-02-2025"))
    assert "12-05-2024" in again  # re-asked with an example
    answer = texts(stack.rest(user, "12-5-2024"))
    assert "12 mei 2027" in answer


def test_the_web_chat_shows_the_timeline_image_and_the_calendar_file(stack):
    messages = stack.chat(new_user(), "tot wanneer heb ik tijd? mijn pip is van 12 mei 2024")
    assert any(m.get("image_url") for m in messages)
    assert any((m.get("document_url") or "").split("?")[0].endswith(".ics") for m in messages)
    image = next(m["image_url"] for m in messages if m.get("image_url"))
    import httpx

    r = httpx.get(image, timeout=30)
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_signal_of_danger_gets_safety_information_and_the_offer_of_a_person(stack):
    answer = texts(stack.rest(new_user(), "mijn man slaat mij en ik mag het huis niet uit"))
    assert "0800-2000" in answer and "112" in answer
    assert "regievoerder" in answer


def test_the_extension_form_asks_one_question_at_a_time_and_reads_bare_numbers(stack):
    user = new_user()
    assert "Bron:" in texts(stack.rest(user, "kan ik verlenging krijgen?"))  # the rule, in general
    first = texts(stack.rest(user, "/ask_deadlines"))  # the button "Bereken mijn data" under it
    assert "PIP" in first
    assert "uur" in texts(stack.rest(user, "12-5-2024"))  # next: the hours
    after_hours = texts(stack.rest(user, "330"))
    assert "examens" in after_hours and "Daar kan ik u helaas niet mee helpen" not in after_hours
    answer = texts(stack.rest(user, "1"))
    assert "nog 120 uur les" in answer and "nog 1 examen" in answer


def test_a_question_in_the_middle_of_the_form_is_answered_and_the_question_asked_again(stack):
    user = new_user()
    stack.rest(user, "bereken mijn einddatum")
    replies = texts(stack.rest(user, "wat kost een examen eigenlijk?"))
    assert "Bron: https://" in replies and "PIP" in replies  # the answer, then the form's question again
    assert "12 mei 2027" in texts(stack.rest(user, "12 mei 2024"))
