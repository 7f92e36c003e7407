"""Pure parts: typed answers to the hours and exams questions, the at-risk ordering and filters."""

from __future__ import annotations

import pytest

from gateway.checkins.inbox import at_risk
from gateway.checkins.service import typed_number


@pytest.mark.parametrize(("text", "number"), [("30", 30), ("30 uur", 30), ("ongeveer 40", 40), ("٤٥", 45),
                                              ("twee", 2), ("iki", 2), ("hoi", None), ("ik heb 3 of 4 examens", None)])
def test_typed_numbers(text: str, number: int | None) -> None:
    assert typed_number(text, "nl") == number


def test_at_risk_sorts_by_days_left_and_puts_unknown_last() -> None:
    people = [
        {"id": 1, "days_left": 300, "risks": ["late"], "obstacle": "", "language": "nl"},
        {"id": 2, "days_left": None, "risks": ["obstacle"], "obstacle": "money", "language": "nl"},
        {"id": 3, "days_left": -5, "risks": ["late"], "obstacle": "", "language": "ar"},
        {"id": 4, "days_left": 10, "risks": [], "obstacle": "", "language": "nl"},
    ]
    assert [p["id"] for p in at_risk(people)] == [3, 1, 2]
    assert [p["id"] for p in at_risk(people, risk="all")] == [3, 4, 1, 2]
    assert [p["id"] for p in at_risk(people, obstacle="money")] == [2]
    assert [p["id"] for p in at_risk(people, language="ar")] == [3]
