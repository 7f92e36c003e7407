"""The deadline conversation's reading and explaining, without Rasa."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge import deadline_chat as chat
from knowledge.deadlines import compute

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    "text,goal",
    [
        ("tot wanneer heb ik tijd?", None),
        ("kan ik verlenging krijgen, ik heb 480 uur", "verlenging"),
        ("can I get an extension of my term", "verlenging"),
        ("wanneer mag ik afschalen naar A2?", "afschalen"),
        ("wanneer moet ik mijn mvv ophalen", "mvv"),
        ("when can I become Dutch? married since 2019", "naturalisatie"),
        ("wanneer moet ik de lening terugbetalen", "lening"),
    ],
)
def test_the_goal_is_read_from_the_question(text, goal):
    assert chat.detect_goal(text) == goal


@pytest.mark.parametrize(
    "text,expected",
    [
        ("wanneer moet ik klaar zijn? mijn pip is van 28 februari 2024", {"pip_date": "2024-02-28"}),
        ("when is my deadline, PIP from 12 May 2024", {"pip_date": "2024-05-12"}),
        ("pip 12-5-24, 480 uur les en 2 examens gehaald", {"pip_date": "2024-05-12", "hours_bow": 480, "exams_passed": 2}),
        ("ik heb 500 uur waarvan 300 uur online", {"hours_bow": 500, "hours_bow_online": 300}),
        ("besluit van de IND op 31 augustus 2025, wanneer mvv ophalen", {"mvv_decision_date": "2025-08-31"}),
        ("my husband is Dutch, we married on 15 June 2019", {"partner_dutch": True, "relationship_start": "2019-06-15"}),
        ("mijn pip was vorige maand", {}),  # relative dates are asked and confirmed, not guessed
    ],
)
def test_inputs_already_in_the_message_are_taken(text, expected):
    assert chat.extract_from_message(text, TODAY, "nl", chat.detect_goal(text)) == expected


def test_only_missing_inputs_are_asked_in_order():
    assert chat.required_fields("verlenging", {}) == ["pip_date", "hours_bow", "exams_passed"]
    assert chat.missing_fields("verlenging", {"pip_date": "2024-05-12"}) == ["hours_bow", "exams_passed"]
    assert chat.missing_fields("termijn", {"pip_date": chat.UNKNOWN}) == []
    assert chat.missing_fields("verlenging", {"pip_date": chat.UNKNOWN}) == []
    assert chat.missing_fields("naturalisatie", {"residence_start": "2023-01-10", "partner_dutch": False}) == []


def test_a_pip_date_in_the_future_is_refused_and_the_day_itself_is_accepted():
    assert chat.read_answer("pip_date", "23-11-2026", TODAY, "nl", {}).error
    assert chat.read_answer("pip_date", "22-11-2026", TODAY, "nl", {}).value == "2026-11-22"


def test_yesterday_must_be_confirmed_as_a_date():
    answer = chat.read_answer("pip_date", "gisteren", TODAY, "nl", {})
    assert answer.confirm == "2026-11-21" and answer.value is None


def test_stop_ends_the_questions():
    assert chat.read_answer("hours_bow", "stop", TODAY, "nl", {}).stop


def test_the_explanation_separates_legal_dates_advice_and_what_is_missing():
    result = compute(chat.engine_inputs({"pip_date": "2024-05-12", "hours_bow": 480, "exams_passed": 2}, TODAY), TODAY)
    text = chat.explain(result, "nl", TODAY)
    dates, advice = text.index("Uw data (schatting):"), text.index("Planning (advies):")
    assert dates < advice
    assert "12 mei 2027" in text
    assert "Meld u vóór 3 februari 2027 aan" in text  # 12 May 2027 - 14 weeks
    assert "Nieuw einde na verlenging" in text and "12 november 2027" in text  # eligible: +6 months
    assert "Mijn Inburgering" in text


def test_the_exam_advice_disappears_once_its_date_has_passed():
    result = compute({"pip_date": "2024-05-12"}, dt.date(2027, 3, 1))
    assert "Planning" not in chat.explain(result, "en", dt.date(2027, 3, 1))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("mijn pip is van 12 mei 2024, ik heb 330 uur les, kan ik verlenging krijgen?", True),
        ("PIP dated 3 March 2024, when does my term end?", True),
        ("kan ik verlenging krijgen als ik 2 examens heb gehaald?", False),
        ("ik heb 600 uur les gehad, mag ik afschalen?", False),
        ("hoe lang heb ik de tijd?", False),
    ],
)
def test_a_rule_question_with_an_own_date_wants_own_dates(text, expected):
    assert chat.wants_own_dates(text, TODAY) is expected
