"""The .ics export: one all-day event per computed date, with a reminder."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from gateway.media.calendar_ics import PRODID, to_ics
from knowledge.deadlines import compute

TODAY = date(2026, 12, 1)
STAMP = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def result() -> dict:
    return compute(
        {"pip_date": "2024-05-12", "hours_bow": 480, "exams_passed": 2, "arrival_date": "2025-10-31"}, today=TODAY
    )


def parse(data: bytes) -> tuple[Calendar, list]:
    calendar = Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def test_every_date_becomes_one_all_day_event_on_that_date(result: dict) -> None:
    calendar, events = parse(to_ics(result, "nl", stamp=STAMP))
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"]) == PRODID
    expected = {key: date.fromisoformat(value) for key, value in result["dates"].items()}
    expected["extended_end"] = date.fromisoformat(result["checks"]["verlenging_hours_ground"]["extended_end"])
    found = {str(event["UID"]).split("-")[0]: event for event in events}
    assert set(found) == set(expected)
    for key, event in found.items():
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert not isinstance(start, datetime) and start == expected[key]
        assert end == start + timedelta(days=1)
        assert event["DTSTART"].params.get("VALUE") == "DATE"


def test_summaries_are_in_the_users_language_and_the_description_says_duo_wins(result: dict) -> None:
    _, dutch = parse(to_ics(result, "nl", stamp=STAMP))
    _, english = parse(to_ics(result, "en", stamp=STAMP))
    assert "Einde van uw inburgeringstermijn" in {str(event["SUMMARY"]) for event in dutch}
    assert "End of your integration term" in {str(event["SUMMARY"]) for event in english}
    assert all("Mijn Inburgering" in str(event["DESCRIPTION"]) and "DUO" in str(event["DESCRIPTION"])
               for event in dutch + english)


def test_a_deadline_is_reminded_14_days_before(result: dict) -> None:
    _, events = parse(to_ics(result, "en", stamp=STAMP))
    by_uid = {str(event["UID"]).split("-")[0]: event for event in events}
    for key in ("termijn_end", "health_insurance_by", "extended_end"):
        (alarm,) = by_uid[key].walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == timedelta(days=-14)
    (alarm,) = by_uid["verlenging_earliest"].walk("VALARM")
    assert alarm.decoded("TRIGGER") >= timedelta(0)


def test_uids_are_stable_between_exports(result: dict) -> None:
    first = [str(event["UID"]) for event in parse(to_ics(result, "nl"))[1]]
    second = [str(event["UID"]) for event in parse(to_ics(result, "en"))[1]]
    assert first == second and len(set(first)) == len(first)


def test_a_result_without_dates_gives_an_empty_calendar() -> None:
    calendar, events = parse(to_ics(compute({"hours_bow": 10}, today=TODAY), "nl"))
    assert events == [] and str(calendar["VERSION"]) == "2.0"


def test_planning_dates_are_clearly_marked_planning_events_without_a_reminder() -> None:
    result = compute({"pip_date": "2024-01-12", "hours_bow": 360, "hours_per_week": 6}, today=date(2026, 5, 27))
    _, english = parse(to_ics(result, "en", stamp=STAMP))
    by_uid = {str(event["UID"]).split("-")[0]: event for event in english}
    planning = by_uid["hours_600_reached"]
    assert planning.decoded("DTSTART") == date(2027, 3, 3)
    assert str(planning["SUMMARY"]) == "Planning: 600 lesson hours reached (planning)"
    assert "not a legal date" in str(planning["DESCRIPTION"])
    assert planning.walk("VALARM") == []
    assert "PLANNING" in planning["CATEGORIES"].to_ical().decode()
    assert by_uid["hours_450_reached"].decoded("DTSTART") == date(2026, 9, 9)
    legal = by_uid["termijn_end"]
    assert str(legal["SUMMARY"]) == "End of your integration term" and legal.walk("VALARM")
    assert "CATEGORIES" not in legal
    _, dutch = parse(to_ics(result, "nl", stamp=STAMP))
    assert "Planning: 600 uur les bereikt (planning)" in {str(event["SUMMARY"]) for event in dutch}


def test_a_calendar_in_a_language_wegwijs_does_not_speak_is_dutch_and_turkish_is_turkish() -> None:
    result = compute({"pip_date": "2024-05-12"}, today=TODAY)
    _, unknown = parse(to_ics(result, "xx", stamp=STAMP))
    assert "Einde van uw inburgeringstermijn" in {str(event["SUMMARY"]) for event in unknown}
    _, turkish = parse(to_ics(result, "tr", stamp=STAMP))
    assert "Uyum sürenizin (inburgeringstermijn) sonu" in {str(event["SUMMARY"]) for event in turkish}
