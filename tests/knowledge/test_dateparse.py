"""Dates and numbers as people type them in chat (knowledge/dateparse.py)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.dateparse import explain_invalid, find_dates, parse_date, parse_int
from knowledge.deadlines.labels import MONTHS

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("12 mei 2024", "nl", date(2024, 5, 12)),
        ("12 Mei 2024", "nl", date(2024, 5, 12)),
        ("12-5-24", "nl", date(2024, 5, 12)),
        ("12/05/2024", "nl", date(2024, 5, 12)),
        ("12.05.2024", "nl", date(2024, 5, 12)),
        ("2024-05-12", "nl", date(2024, 5, 12)),
        ("May 12th 2024", "en", date(2024, 5, 12)),
        ("May 12, 2024", "en", date(2024, 5, 12)),
        ("12 May 2024", "en", date(2024, 5, 12)),
        ("12th of May 2024", "en", date(2024, 5, 12)),
        ("12e mei 2024", "nl", date(2024, 5, 12)),
        ("12 mei '24", "nl", date(2024, 5, 12)),
        ("1 okt. 2024", "nl", date(2024, 10, 1)),
        ("29-2-24", "nl", date(2024, 2, 29)),
        ("12 May 2024", "nl", date(2024, 5, 12)),
        ("12 mei 2024", "en", date(2024, 5, 12)),
    ],
    ids=lambda value: str(value),
)
def test_an_absolute_date_is_read_day_first(text: str, lang: str, expected: date) -> None:
    parsed = parse_date(text, TODAY, lang)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.relative is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 setpember 2024", date(2024, 9, 12)),
        ("12 febuari 2024", date(2024, 2, 12)),
        ("12 agustus 2024", date(2024, 8, 12)),
        ("3 decmber 2023", date(2023, 12, 3)),
    ],
)
def test_a_misspelled_month_name_is_still_understood(text: str, expected: date) -> None:
    parsed = parse_date(text, TODAY, "nl")
    assert parsed is not None and parsed.value == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("gisteren", "nl", date(2025, 6, 14)),
        ("yesterday", "en", date(2025, 6, 14)),
        ("vorige maand", "nl", date(2025, 5, 15)),
        ("last month", "en", date(2025, 5, 15)),
        ("3 maart vorig jaar", "nl", date(2024, 3, 3)),
        ("3 March last year", "en", date(2024, 3, 3)),
        ("2 weken geleden", "nl", date(2025, 6, 1)),
        ("12 mei", "nl", date(2025, 5, 12)),
    ],
)
def test_a_date_that_depends_on_today_is_marked_relative_so_the_chat_confirms_it(
    text: str, lang: str, expected: date
) -> None:
    parsed = parse_date(text, TODAY, lang)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.relative is True


@pytest.mark.parametrize("text", ["30-02-2025", "2025-02-30", "31-04-2024", "mei 2024", "hallo", "300", "ja", ""])
def test_something_that_is_not_one_real_date_gives_none(text: str) -> None:
    assert parse_date(text, TODAY, "nl") is None


def test_a_date_is_found_inside_a_longer_dutch_message() -> None:
    found = find_dates("mijn pip is van 12 mei 2024 en ik heb 300 uur", TODAY, "nl")
    assert [(item.value, item.matched) for item in found] == [(date(2024, 5, 12), "12 mei 2024")]


def test_several_dates_are_found_in_order_in_an_english_message() -> None:
    text = "I arrived on 3 June 2023, my PIP is dated 12/05/2024 and the decision came last month"
    found = find_dates(text, TODAY, "en")
    assert [item.value for item in found] == [date(2023, 6, 3), date(2024, 5, 12), date(2025, 5, 15)]
    assert [item.relative for item in found] == [False, False, True]


def test_parse_date_falls_back_to_the_first_date_in_a_sentence() -> None:
    parsed = parse_date("Mijn PIP is van 12 mei 2024.", TODAY, "nl")
    assert parsed is not None and parsed.value == date(2024, 5, 12) and parsed.matched == "12 mei 2024"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("300", 300),
        ("ik heb 300 uur", 300),
        ("ongeveer 450 uren", 450),
        ("1.200 uur", 1200),
        ("twee", 2),
        ("two exams", 2),
        ("Drie examens", 3),
        ("geen", 0),
        ("weet ik niet", None),
        ("", None),
    ],
)
def test_parse_int_reads_digits_and_simple_number_words(text: str, expected: int | None) -> None:
    assert parse_int(text) == expected


def test_an_impossible_date_is_explained_with_an_example_in_dutch() -> None:
    text = explain_invalid("30-02-2025", "nl")
    assert "februari" in text and "30" in text and "12 mei 2024" in text


def test_an_unreadable_date_is_explained_with_an_example_in_english() -> None:
    text = explain_invalid("blabla", "en")
    assert "12 May 2024" in text and "day-month-year" in text


def _styles(d: date) -> list[tuple[str, str]]:
    nl, en = MONTHS["nl"][d.month - 1], MONTHS["en"][d.month - 1]
    return [
        (d.isoformat(), "nl"),
        (f"{d.day:02d}-{d.month:02d}-{d.year}", "nl"),
        (f"{d.day}/{d.month}/{d.year}", "en"),
        (f"{d.day}.{d.month:02d}.{d.year}", "nl"),
        (f"{d.day} {nl} {d.year}", "nl"),
        (f"{d.day} {en} {d.year}", "en"),
        (f"{en} {d.day}, {d.year}", "en"),
        (f"{d.day}-{d.month}-{d.year % 100:02d}", "nl"),
    ]


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2049, 12, 31)))
def test_a_date_written_in_any_supported_style_parses_back_to_itself(d: date) -> None:
    for text, lang in _styles(d):
        parsed = parse_date(text, TODAY, lang)
        assert parsed is not None, text
        assert parsed.value == d, text
        assert parsed.relative is False, text


REMEMBERED = ["12 mei 2024", "3 March 2025", "12-5-24", "gisteren", "vorige maand", "last week", "30-02-2025",
              "geen datum", "1 januari", "2024-02-29"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_remembered_date_is_the_same_as_a_freshly_parsed_one_and_depends_on_today(lang: str) -> None:
    from knowledge import dateparse

    for today in (date(2026, 11, 22), date(2027, 1, 5)):
        for text in REMEMBERED:
            fresh = dateparse._parse_whole.__wrapped__(text, today, lang)
            assert dateparse._parse_whole(text, today, lang) == fresh  # first call: parsed
            assert dateparse._parse_whole(text, today, lang) == fresh  # second call: remembered
    assert dateparse._parse_whole("gisteren", date(2026, 11, 22), "nl")[0] == date(2026, 11, 21)
    assert dateparse._parse_whole("gisteren", date(2027, 1, 5), "nl")[0] == date(2027, 1, 4)


def test_reading_the_same_message_twice_parses_its_dates_once() -> None:
    from knowledge import dateparse

    text = "mijn pip is van 14 april 2025 en ik had mijn mvv op 2 januari 2025"
    today = date(2026, 11, 23)
    first = find_dates(text, today, "nl")
    hits = dateparse._parse_whole.cache_info().hits
    assert find_dates(text, today, "nl") == first
    assert dateparse._parse_whole.cache_info().hits > hits
    assert [d.value for d in first] == [date(2025, 4, 14), date(2025, 1, 2)]
