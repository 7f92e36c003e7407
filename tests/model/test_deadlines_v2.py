"""Deadline contract version 2 in conversations with the trained model (issue 16): pace in Dutch and
English, a law conflict explained in plain words, and a naturalisation question that asks for the
marriage and living-together dates."""

from __future__ import annotations

import uuid

from conftest import texts


def new_user() -> str:
    return uuid.uuid4().hex


def test_pace_in_dutch_says_when_600_hours_are_reached_apart_from_the_legal_dates(stack):
    answer = texts(stack.rest(new_user(), "mijn pip is van 12 mei 2024. ik heb 300 uur les gehad en volg "
                                          "6 uur per week. hoe snel heb ik 600 uur?"))
    assert "Met 6 uur per week heeft u 600 uur op" in answer
    assert answer.index("Planning (advies):") > answer.index("Einde van uw inburgeringstermijn: 12 mei 2027")


def test_pace_in_english_asks_the_hours_per_week_when_they_are_missing(stack):
    user = new_user()
    first = texts(stack.rest(user, "at this pace when do I reach 600 hours? my PIP is from 12 May 2024 "
                                   "and I had 300 hours of lessons"))
    assert "hours a week" in first
    answer = texts(stack.rest(user, "6"))
    assert "At 6 hours a week you reach 600 hours on" in answer
    assert "End of your integration term: 12 May 2027" in answer


def test_a_law_conflict_is_explained_in_plain_words(stack):
    answer = texts(stack.rest(new_user(), "mijn inburgeringsplicht begon op 1 oktober 2021 en mijn pip is van "
                                          "1 februari 2022. wanneer moet ik klaar zijn?"))
    assert "vóór 1 januari 2022" in answer and "DUO beslist" in answer


def test_a_naturalisation_question_asks_marriage_and_living_together_and_uses_them(stack):
    user = new_user()
    first = texts(stack.rest(user, "wanneer kan ik naturaliseren? ik woon sinds 1 juni 2018 in nederland"))
    assert "Nederlands" in first or "Nederlander" in first  # is your partner Dutch?
    asked = texts(stack.rest(user, "ja"))
    assert "getrouwd" in asked
    asked = texts(stack.rest(user, "1 maart 2020"))
    assert "samen" in asked  # since when do you live together in the Netherlands?
    answer = texts(stack.rest(user, "1 januari 2019"))
    assert "1 januari 2022" in answer  # 3 years after living together in the Netherlands
