"""Free messages about contract version 2: the hours to reach are not the hours followed, and the
start of the obligation is read (it decides the law and a `law_conflict`)."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogue import deadline_chat as chat
from knowledge.deadlines import compute

TODAY = dt.date(2026, 12, 8)


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("hoe snel heb ik 600 uur? ik heb 300 uur les gehad en volg 6 uur per week", "nl",
     {"hours_bow": 300, "hours_per_week": 6}),
    ("when do I reach 600 hours? I had 300 hours so far", "en", {"hours_bow": 300}),
    ("wanneer haal ik de 450 uur?", "nl", {}),
    ("ik heb 600 uur les gehad", "nl", {"hours_bow": 600}),  # hours followed, not a goal
])
def test_the_hours_to_reach_are_not_read_as_the_hours_followed(text: str, lang: str, expected: dict) -> None:
    found = chat.extract_from_message(text, TODAY, lang)
    assert {k: v for k, v in found.items() if k in ("hours_bow", "hours_per_week")} == expected


def test_the_start_of_the_obligation_is_read_and_gives_a_law_conflict_with_a_pip() -> None:
    text = "mijn inburgeringsplicht begon op 1 oktober 2021 en mijn pip is van 1 februari 2022"
    found = chat.extract_from_message(text, TODAY, "nl")
    assert found["plicht_start"] == "2021-10-01" and found["pip_date"] == "2022-02-01"
    assert "plicht_start" in chat.CHAT_FIELDS
    assert not any("plicht_start" in chat.required_fields(goal, {}) for goal in chat.GOALS)  # never asked
    assert "law_conflict" in compute(chat.engine_inputs(found, TODAY))["warning_codes"]
