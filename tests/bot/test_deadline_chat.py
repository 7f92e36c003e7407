"""The deadline conversation's reading and explaining, without Rasa."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogue import deadline_chat as chat
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
        # contract version 2: "married" gives the marriage date, "living together" its own date
        ("my husband is Dutch, we married on 15 June 2019", {"partner_dutch": True, "marriage_date": "2019-06-15"}),
        ("getrouwd op 1 mei 2020, samenwonen sinds 3 maart 2019",
         {"marriage_date": "2020-05-01", "cohabitation_start": "2019-03-03"}),
        ("pip 12-5-24, 300 uur les, 6 uur per week", {"pip_date": "2024-05-12", "hours_bow": 300, "hours_per_week": 6}),
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


# --- contract version 2 in the chat ---------------------------------------------------------


def test_marriage_and_living_together_are_asked_only_for_naturalisation():
    assert chat.required_fields("naturalisatie", {}) == [
        "residence_start", "partner_dutch", "marriage_date", "cohabitation_start"]
    assert chat.missing_fields("naturalisatie", {"residence_start": "2023-01-10", "partner_dutch": False}) == []
    for goal in ("termijn", "verlenging", "afschalen", "tempo", "mvv", "lening", None):
        assert not {"marriage_date", "cohabitation_start"} & set(chat.required_fields(goal, {}))


def test_hours_per_week_are_asked_only_when_the_question_is_about_pace():
    assert chat.detect_goal("hoe snel heb ik 600 uur? ik volg 6 uur per week") == "tempo"
    assert chat.detect_goal("at this pace, when do I reach 450 hours?") == "tempo"
    assert chat.required_fields("tempo", {}) == ["pip_date", "hours_bow", "hours_per_week"]
    for goal in ("termijn", "verlenging", "afschalen", "naturalisatie", None):
        assert "hours_per_week" not in chat.required_fields(goal, {})


def test_not_married_is_an_answer_and_is_left_out_of_the_engine_input():
    answer = chat.read_answer("marriage_date", "nee", TODAY, "nl", {})
    assert answer.value == chat.NOT_MARRIED and answer.error is None
    known = {"partner_dutch": True, "marriage_date": chat.NOT_MARRIED, "cohabitation_start": "2020-01-10",
             "residence_start": "2020-06-01"}
    inputs = chat.engine_inputs(known, TODAY)
    assert "marriage_date" not in inputs
    assert compute(inputs)["dates"]["naturalisation_earliest"] == "2023-06-01"


@pytest.mark.parametrize(
    ("answer", "lang", "expected"),
    [("41", "nl", "meer dan 40 uur per week"), ("50", "en", "more than 40 hours a week"),
     ("-2", "nl", "niet lager zijn dan 0"), ("veel", "en", "not a number")],
)
def test_hours_per_week_outside_0_to_40_is_asked_again_in_the_users_language(answer, lang, expected):
    result = chat.read_answer("hours_per_week", answer, TODAY, lang, {})
    assert result.value is None and expected in result.error


def test_half_hours_per_week_are_read():
    assert chat.read_answer("hours_per_week", "7,5", TODAY, "nl", {}).value == 7.5
    assert chat.read_answer("hours_per_week", "6 uur", TODAY, "nl", {}).value == 6


def test_the_new_questions_come_from_the_catalogue_in_the_users_language():
    assert "getrouwd" in chat.question("marriage_date", "nl")
    assert "marry" in chat.question("marriage_date", "en")
    assert "haftada" in chat.question("hours_per_week", "tr")
    assert chat.question("hours_per_week", "xx") == chat.question("hours_per_week", "nl")
    assert chat.question("pip_date", "nl") is None  # asked by the domain's utter_ask_pip_date


PACE_INPUT = {"pip_date": "2024-01-12", "hours_bow": 360, "hours_per_week": 6, "today": "2026-05-27"}


def test_pace_says_when_600_hours_are_reached_after_the_end_of_the_term_in_english():
    result = compute(PACE_INPUT)
    assert result["dates"]["hours_600_reached"] == "2027-03-03"  # + 7 x ceil(240 / 6) days
    text = chat.explain(result, "en", dt.date(2026, 5, 27), PACE_INPUT)
    assert ("At 6 hours a week you reach 600 hours on 3 March 2027, 2 months after your term ends on "
            "12 January 2027. Talk to your regievoerder about afschalen now.") in text


def test_pace_in_dutch_and_the_legal_dates_stay_apart_from_it():
    result = compute(PACE_INPUT)
    text = chat.explain(result, "nl", dt.date(2026, 5, 27), PACE_INPUT)
    legal, planning = text.split("Planning (advies):")
    assert "Einde van uw inburgeringstermijn: 12 januari 2027" in legal
    assert "600 uur" not in legal and "3 maart 2027" not in legal
    assert "Met 6 uur per week heeft u 600 uur op 3 maart 2027. Dat is 2 maanden nadat uw termijn" in planning
    assert "Met 6 uur per week heeft u 450 uur op" in planning


def test_pace_before_the_end_of_the_term_says_how_long_before():
    inputs = {"pip_date": "2024-05-12", "hours_bow": 540, "hours_per_week": 10, "today": "2026-11-22"}
    text = chat.explain(compute(inputs), "en", dt.date(2026, 11, 22), inputs)
    assert "you reach 600 hours on 3 January 2027, 4 months before your term ends on 12 May 2027" in text


def test_no_pace_sentence_for_afschalen_outside_the_b1_route():
    inputs = {"hours_bow": 300, "hours_per_week": 6, "route": "z", "today": "2026-05-27"}
    text = chat.explain(compute(inputs), "en", dt.date(2026, 5, 27), inputs)
    assert "600 hours" not in text and "only possible in the B1-route" in text


def test_a_passed_term_is_explained_first_in_plain_words():
    result = compute({"pip_date": "2022-03-01", "today": "2025-06-01"})
    text = chat.explain(result, "nl", dt.date(2025, 6, 1))
    assert text.startswith("Uw termijn is volgens deze schatting voorbij: de laatste dag was 1 maart 2025, 92 dagen geleden.")
    assert text.count("voorbij") == 1  # the short warning text is not repeated


def test_a_term_ending_soon_says_how_many_days_are_left():
    text = chat.explain(compute({"pip_date": "2024-05-12", "today": "2027-03-12"}), "en", dt.date(2027, 3, 12))
    assert text.startswith("Your term ends in 61 days, on 12 May 2027.")


def test_a_law_conflict_is_explained_in_plain_words():
    result = compute({"plicht_start": "2021-10-01", "pip_date": "2022-02-01", "today": "2023-01-01"})
    for lang, words in (("nl", ("vóór 1 januari 2022", "PIP", "DUO beslist")),
                        ("en", ("before 1 January 2022", "PIP", "DUO decides"))):
        first = chat.explain(result, lang, dt.date(2023, 1, 1)).split("\n")[0]
        assert all(word in first for word in words)


def test_an_eligible_hours_ground_is_worded_as_probably():
    result = compute({"pip_date": "2024-05-12", "hours_bow": 480, "exams_passed": 2, "today": "2026-11-22"})
    assert "You probably meet the hours and exams" in chat.explain(result, "en", TODAY)
    assert "U voldoet waarschijnlijk" in chat.explain(result, "nl", TODAY)


def test_a_language_wegwijs_does_not_speak_gets_the_whole_answer_in_dutch():
    result = compute({"pip_date": "2024-05-12", "today": "2026-11-22"})
    assert chat.explain(result, "xx", TODAY) == chat.explain(result, "nl", TODAY)


@pytest.mark.parametrize(("lang", "end"), [("tr", "12 Mayıs 2027"), ("ar", "12 مايو 2027"), ("pt", "12 de maio de 2027")])
def test_the_answer_comes_in_the_users_language_with_the_date_written_its_way(lang, end):
    result = compute({"pip_date": "2024-05-12", "today": "2026-11-22"})
    answer = chat.explain(result, lang, TODAY)
    assert end in answer and answer != chat.explain(result, "nl", TODAY)
