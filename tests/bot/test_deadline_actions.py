"""The deadline conversation's actions, on trackers as Rasa sends them."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("rasa_sdk")

from conftest import action_event, make_tracker, user_event  # noqa: E402

from actions import deadlines  # noqa: E402
from actions.deadlines import (  # noqa: E402
    ActionAskPipDate,
    ActionComputeDeadlines,
    ActionStartDeadlines,
    ValidateDeadlinesForm,
)

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(deadlines, "today", lambda: TODAY)


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_a_pip_date_in_the_first_message_needs_no_question(dispatcher):
    text = "wanneer moet ik klaar zijn? mijn pip is van 28 februari 2024"
    tracker = make_tracker([user_event(text, "ask_deadlines")])
    events = ActionStartDeadlines().run(dispatcher, tracker, {})
    slots = slots_of(events)
    assert slots["pip_date"] == "2024-02-28"
    assert slots["deadline_goal"] == "termijn"
    assert slots["deadlines_ready"] is True  # the rules end the turn here, without the form
    # nothing to ask, so no intro: the dates at once, in the same action call
    assert "28 februari 2027" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[1]["custom"]["wegwijs"]["input"]["pip_date"] == "2024-02-28"
    assert len(dispatcher.messages) == 2


def test_a_complete_question_with_a_date_the_engine_refuses_explains_it_and_empties_the_slot(dispatcher):
    text = "kan ik verlenging krijgen? mijn pip is van 12 mei 2024, ik heb 100 uur les gehad waarvan 150 uur online en 1 examen gehaald"
    events = ActionStartDeadlines().run(dispatcher, make_tracker([user_event(text, "ask_deadlines")]), {})
    online = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "hours_bow_online"]
    assert online == [150, None]  # read, refused (more online hours than hours), so asked again later
    assert len(dispatcher.messages) == 1 and "online" in dispatcher.messages[0]["text"]


def test_a_question_that_misses_an_answer_goes_to_the_form_with_an_intro(dispatcher):
    text = "kan ik verlenging krijgen? mijn pip is van 12 mei 2024"
    events = ActionStartDeadlines().run(dispatcher, make_tracker([user_event(text, "ask_deadlines")]), {})
    assert slots_of(events)["deadlines_ready"] is False  # hours and exams are still to be asked
    assert [m.get("response") for m in dispatcher.messages] == ["utter_deadlines_intro"]


async def test_the_form_needs_only_the_pip_date_for_the_end_of_the_term(dispatcher):
    tracker = make_tracker([], slots={"deadline_goal": "termijn", "pip_date": "2024-02-28"})
    assert await ValidateDeadlinesForm().required_slots([], dispatcher, tracker, {}) == ["pip_date"]


async def test_an_extension_question_asks_hours_and_exams_one_at_a_time(dispatcher):
    tracker = make_tracker([], slots={"deadline_goal": "verlenging", "pip_date": "2024-05-12"})
    slots = await ValidateDeadlinesForm().required_slots([], dispatcher, tracker, {})
    assert slots == ["pip_date", "hours_bow", "exams_passed"]


async def test_the_answer_just_given_is_kept_and_the_next_question_is_asked(dispatcher):
    tracker = make_tracker(
        [user_event("12-5-2024", "ask_deadlines")], slots={"deadline_goal": "verlenging", "requested_slot": "pip_date"}
    )
    events = await ValidateDeadlinesForm().run(dispatcher, tracker, {"forms": {"deadlines_form": {"required_slots": ["pip_date"]}}, "slots": {}})
    slots = slots_of(events)
    assert slots["pip_date"] == "2024-05-12"
    assert slots["requested_slot"] == "hours_bow"


def test_the_answer_contains_the_end_of_the_term_in_dutch(dispatcher):
    tracker = make_tracker([user_event("ok", "affirm")], slots={"pip_date": "2024-02-28", "deadline_goal": "termijn"})
    ActionComputeDeadlines().run(dispatcher, tracker, {})
    text = dispatcher.messages[0]["text"]
    assert "28 februari 2027" in text
    assert "Mijn Inburgering" in text  # the DUO letter / Mijn Inburgering wins
    payload = dispatcher.messages[1]["custom"]["wegwijs"]
    assert payload == {"type": "deadlines", "input": {"pip_date": "2024-02-28", "today": "2026-11-22"}, "lang": "nl"}


def test_the_answer_is_in_english_for_an_english_conversation(dispatcher):
    tracker = make_tracker([user_event("ok", "affirm")], slots={"pip_date": "2024-05-12", "language": "en"})
    ActionComputeDeadlines().run(dispatcher, tracker, {})
    assert "12 May 2027" in dispatcher.messages[0]["text"]


def test_the_answer_says_what_is_missing_for_extension_and_afschalen(dispatcher):
    slots = {"pip_date": "2024-05-12", "hours_bow": 330, "hours_bow_online": 100, "exams_passed": 1}
    tracker = make_tracker([user_event("1", "affirm")], slots=slots)
    ActionComputeDeadlines().run(dispatcher, tracker, {})
    text = dispatcher.messages[0]["text"]
    assert "nog 120 uur les" in text and "nog 1 examen" in text  # verlenging: 450 - 330, 2 - 1
    assert "nog 270 uur les" in text  # afschalen: 600 - 330
    assert "nog 70 uur les in de klas" in text  # 300 - (330 - 100)


@pytest.mark.parametrize(
    "field,answer,expected_in_message",
    [
        ("pip_date", "2025-02-30", "12-05-2024"),
        ("pip_date", "30-02-2025", "12-05-2024"),
        ("pip_date", "12 mei 2030", "toekomst"),
        ("hours_bow", "-5", "niet lager zijn dan 0"),
        ("hours_bow", "heel veel", "geen getal"),
        ("exams_passed", "7", "0 tot en met 5"),
    ],
)
async def test_invalid_answers_are_asked_again_with_an_example(dispatcher, field, answer, expected_in_message):
    tracker = make_tracker([user_event(answer, "inform")], slots={"requested_slot": field, "deadline_goal": "verlenging"})
    events = await getattr(ValidateDeadlinesForm(), f"extract_{field}")(dispatcher, tracker, {})
    assert events[field] is None
    assert expected_in_message in dispatcher.messages[0]["text"]


async def test_online_hours_above_the_total_are_asked_again(dispatcher):
    slots = {"requested_slot": "hours_bow_online", "hours_bow": 200, "deadline_goal": "afschalen"}
    tracker = make_tracker([user_event("300", "inform")], slots=slots)
    events = await ValidateDeadlinesForm().extract_hours_bow_online(dispatcher, tracker, {})
    assert events["hours_bow_online"] is None
    assert "(200)" in dispatcher.messages[0]["text"]


async def test_yesterday_as_a_pip_date_is_confirmed_before_it_is_used(dispatcher):
    tracker = make_tracker([user_event("gisteren", "inform")], slots={"requested_slot": "pip_date"})
    events = await ValidateDeadlinesForm().extract_pip_date(dispatcher, tracker, {})
    assert events == {"pip_date": None, "date_to_confirm": "2026-11-21"}
    ask = make_tracker([], slots={"date_to_confirm": "2026-11-21"})
    ActionAskPipDate().run(dispatcher, ask, {})
    assert "21 november 2026" in dispatcher.messages[-1]["text"]
    confirm = make_tracker([user_event("ja", "affirm")], slots={"requested_slot": "pip_date", "date_to_confirm": "2026-11-21"})
    assert await ValidateDeadlinesForm().extract_pip_date(dispatcher, confirm, {}) == {
        "pip_date": "2026-11-21",
        "date_to_confirm": None,
    }


async def test_i_dont_know_explains_where_to_find_the_date(dispatcher):
    tracker = make_tracker([user_event("ik weet het niet", "deny")], slots={"requested_slot": "pip_date"})
    events = await ValidateDeadlinesForm().extract_pip_date(dispatcher, tracker, {})
    assert events["pip_date"] == "unknown"
    assert "Mijn Inburgering" in dispatcher.messages[0]["text"]


async def test_only_the_requested_question_reads_the_answer(dispatcher):
    tracker = make_tracker([user_event("450", "inform")], slots={"requested_slot": "hours_bow"})
    assert await ValidateDeadlinesForm().extract_exams_passed(dispatcher, tracker, {}) == {}


def test_calculate_my_dates_under_the_extension_answer_asks_about_extension(dispatcher):
    events = [
        user_event("kan ik extra tijd krijgen", "faq", response_key="faq/verlenging"),
        action_event("utter_faq"),
        user_event("/ask_deadlines", "ask_deadlines"),
    ]
    slots = slots_of(ActionStartDeadlines().run(dispatcher, make_tracker(events), {}))
    assert slots["deadline_goal"] == "verlenging"


async def test_a_question_that_is_no_answer_is_left_to_the_interruption_rules(dispatcher):
    tracker = make_tracker([user_event("wat kost een examen?", "faq")], slots={"requested_slot": "pip_date"})
    assert await ValidateDeadlinesForm().extract_pip_date(dispatcher, tracker, {}) == {}
    assert dispatcher.messages == []


async def test_a_date_classified_as_a_faq_question_is_still_read_as_the_answer(dispatcher):
    tracker = make_tracker([user_event("12 mei 2024", "faq")], slots={"requested_slot": "pip_date"})
    assert (await ValidateDeadlinesForm().extract_pip_date(dispatcher, tracker, {}))["pip_date"] == "2024-05-12"


async def test_asking_for_a_person_during_the_hours_question_is_not_read_as_one_hour(dispatcher):
    tracker = make_tracker([user_event("ik wil met een mens praten", "ask_human")], slots={"requested_slot": "hours_bow"})
    assert await ValidateDeadlinesForm().extract_hours_bow(dispatcher, tracker, {}) == {}
    assert dispatcher.messages == []


async def test_a_number_word_alone_still_answers_the_exams_question_whatever_the_intent(dispatcher):
    tracker = make_tracker([user_event("twee", "faq")], slots={"requested_slot": "exams_passed"})
    assert (await ValidateDeadlinesForm().extract_exams_passed(dispatcher, tracker, {}))["exams_passed"] == 2


async def test_digits_in_a_faq_like_sentence_still_answer_the_hours_question(dispatcher):
    tracker = make_tracker([user_event("ik heb 450 uur les gehad bij een school", "faq")], slots={"requested_slot": "hours_bow"})
    assert (await ValidateDeadlinesForm().extract_hours_bow(dispatcher, tracker, {}))["hours_bow"] == 450


async def test_a_form_turn_validates_every_slot_without_warnings(dispatcher, caplog):
    import logging

    events = [user_event("mijn pip is van 12 mei 2024", "ask_deadlines")]
    tracker = make_tracker(events, slots={"requested_slot": "pip_date", "pip_date": "2024-05-12", "deadline_goal": "termijn"},
                           active_loop={"name": "deadlines_form"})
    domain = {"forms": {"deadlines_form": {"required_slots": []}}, "slots": {}}
    with caplog.at_level(logging.WARNING, logger="rasa_sdk"):
        result = await ValidateDeadlinesForm().run(dispatcher, tracker, domain)
    assert {"event": "slot", "timestamp": None, "name": "pip_date", "value": "2024-05-12"} in result
    assert not [r for r in caplog.records if "Skipping validation" in r.getMessage()]


# --- one field definition; contract version 2 in the chat --------------------------------------


def test_the_domain_declares_a_slot_and_an_ask_action_for_every_chat_field():
    from pathlib import Path

    import yaml

    from knowledge.deadlines.fields import FIELD_NAMES

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "bot" / "domain" / "deadlines.yml").read_text())
    field_slots = {name for name in domain["slots"] if name in FIELD_NAMES}
    assert field_slots == set(deadlines.FIELDS)
    actions = {a if isinstance(a, str) else next(iter(a)) for a in domain["actions"]}
    assert {f"action_ask_{field}" for field in deadlines.FIELDS} <= actions
    for field in deadlines.FIELDS:
        action = getattr(deadlines, "ActionAsk" + "".join(part.capitalize() for part in field.split("_")))
        assert action().name() == f"action_ask_{field}"


async def test_a_naturalisation_question_asks_marriage_and_living_together_in_the_users_words(dispatcher):
    slots = {"deadline_goal": "naturalisatie", "residence_start": "2020-06-01", "partner_dutch": True}
    tracker = make_tracker([user_event("ja", "affirm")], slots=slots)
    assert await ValidateDeadlinesForm().required_slots([], dispatcher, tracker, {}) == [
        "residence_start", "partner_dutch", "marriage_date", "cohabitation_start"]
    deadlines.ActionAskMarriageDate().run(dispatcher, tracker, {})
    assert "getrouwd" in dispatcher.messages[-1]["text"]
    english = make_tracker([user_event("yes", "affirm")], slots={**slots, "language": "en"})
    deadlines.ActionAskCohabitationStart().run(dispatcher, english, {})
    assert "live together" in dispatcher.messages[-1]["text"]


def test_a_naturalisation_answer_uses_marriage_and_living_together_in_the_netherlands(dispatcher):
    slots = {"residence_start": "2018-06-01", "partner_dutch": True, "marriage_date": "2020-03-01",
             "cohabitation_start": "2019-01-01"}
    ActionComputeDeadlines().run(dispatcher, make_tracker([user_event("1", "affirm")], slots=slots), {})
    assert "1 januari 2022" in dispatcher.messages[0]["text"]  # from U = 2019-01-01 + 3 years
    assert dispatcher.messages[1]["custom"]["wegwijs"]["input"]["marriage_date"] == "2020-03-01"


def test_a_pace_question_gets_the_planning_sentence(dispatcher):
    slots = {"pip_date": "2024-05-12", "hours_bow": 540, "hours_per_week": 10}
    ActionComputeDeadlines().run(dispatcher, make_tracker([user_event("10", "inform")], slots=slots), {})
    text = dispatcher.messages[0]["text"]
    assert "Met 10 uur per week heeft u 600 uur op 3 januari 2027" in text  # 22-11-2026 + 6 weeks
    assert "Planning (advies):" in text


async def test_hours_per_week_above_40_are_asked_again(dispatcher):
    tracker = make_tracker([user_event("60", "inform")], slots={"requested_slot": "hours_per_week",
                                                                 "deadline_goal": "tempo"})
    events = await ValidateDeadlinesForm().extract_hours_per_week(dispatcher, tracker, {})
    assert events["hours_per_week"] is None
    assert "meer dan 40 uur per week" in dispatcher.messages[0]["text"]
