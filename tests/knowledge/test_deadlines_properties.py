"""Properties of the deadline engine that hold for every date (hypothesis)."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.deadlines import compute
from knowledge.deadlines.dates import add_months, add_years

pip_dates = st.dates(min_value=date(2022, 1, 1), max_value=date(2040, 12, 31))
any_dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))
hours = st.integers(min_value=0, max_value=2000)


@given(pip_dates)
def test_termijn_end_is_the_same_calendar_day_three_years_later_or_28_february(pip: date) -> None:
    end = date.fromisoformat(compute({"pip_date": pip}, today=pip)["dates"]["termijn_end"])
    if (pip.month, pip.day) == (2, 29):
        assert end == date(pip.year + 3, 2, 28)
    else:
        assert end == pip.replace(year=pip.year + 3)


@given(pip_dates, pip_dates)
def test_term_dates_are_in_order(pip: date, today: date) -> None:
    dates = {k: date.fromisoformat(v) for k, v in compute({"pip_date": pip}, today=today)["dates"].items()}
    assert dates["termijn_start"] == pip + timedelta(days=1)
    assert dates["termijn_end"] >= dates["termijn_start"]
    assert dates["termijn_start"] < dates["verlenging_earliest"] < dates["termijn_end"]
    assert dates["verlenging_earliest"] < dates["duo_warning_letter"] < dates["termijn_end"]


@given(hours, st.data())
def test_afschalen_missing_hours_are_never_negative(total: int, data: st.DataObject) -> None:
    online = data.draw(st.integers(min_value=0, max_value=total))
    check = compute({"hours_bow": total, "hours_bow_online": online}, today=date(2025, 1, 1))["checks"]["afschalen"]
    assert check["missing_hours"] >= 0
    assert check["missing_in_class_hours"] >= 0
    assert check["eligible"] == (check["missing_hours"] == 0 and check["missing_in_class_hours"] == 0)


@given(pip_dates, pip_dates, hours, st.integers(min_value=0, max_value=5))
def test_hours_ground_is_eligible_exactly_when_nothing_is_missing_and_the_window_is_open(
    pip: date, today: date, total: int, exams: int
) -> None:
    result = compute({"pip_date": pip, "hours_bow": total, "exams_passed": exams}, today=today)
    check = result["checks"]["verlenging_hours_ground"]
    window_open = today >= date.fromisoformat(result["dates"]["verlenging_earliest"])
    assert check["missing_hours"] >= 0 and check["missing_exams"] >= 0
    assert check["eligible"] == (check["missing_hours"] == 0 and check["missing_exams"] == 0 and window_open)
    assert ("extended_end" in check) == check["eligible"]


@given(any_dates, st.integers(min_value=-600, max_value=600))
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(d: date, months: int) -> None:
    moved = add_months(d, months)
    assert (moved.year * 12 + moved.month) - (d.year * 12 + d.month) == months
    next_month_first = add_months(moved.replace(day=1), 1)
    assert moved.day == d.day or (moved.day < d.day and moved + timedelta(days=1) == next_month_first)


@given(any_dates, st.integers(min_value=-50, max_value=50))
def test_add_years_is_twelve_months(d: date, years: int) -> None:
    assert add_years(d, years) == add_months(d, 12 * years)


@settings(max_examples=50)
@given(any_dates)
def test_every_computed_date_is_an_iso_string(d: date) -> None:
    result = compute(
        {"mvv_decision_date": d, "mvv_issue_date": d, "arrival_date": d, "residence_start": d, "klaar_date": d},
        today=d,
    )
    for value in result["dates"].values():
        assert date.fromisoformat(value).isoformat() == value


@given(pip_dates, pip_dates)
def test_the_term_status_counts_the_days_to_the_last_day_and_never_hides_a_passed_term(pip: date, today: date) -> None:
    result = compute({"pip_date": pip}, today=today)
    status = result["checks"]["termijn_status"]
    end = date.fromisoformat(result["dates"]["termijn_end"])
    letter = date.fromisoformat(result["dates"]["duo_warning_letter"])
    assert status["days_left"] == (end - today).days
    assert (status["state"] == "passed") == (today > end) == ("termijn_passed" in result["warning_codes"])
    assert (status["state"] == "ending_soon") == (letter <= today <= end)


@given(st.integers(min_value=0, max_value=700), st.integers(min_value=1, max_value=40), pip_dates)
def test_the_hours_are_reached_in_the_first_whole_week_that_brings_enough(total: int, per_week: int, today: date) -> None:
    dates = compute({"hours_bow": total, "hours_per_week": per_week}, today=today)["dates"]
    for key, target in (("hours_450_reached", 450), ("hours_600_reached", 600)):
        if total >= target:
            assert key not in dates
            continue
        days = (date.fromisoformat(dates[key]) - today).days
        weeks, rest = divmod(days, 7)
        assert rest == 0 and weeks >= 1
        assert total + weeks * per_week >= target > total + (weeks - 1) * per_week


def test_today_is_the_date_in_amsterdam() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from knowledge.deadlines import today

    assert today() == datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    assert today("Pacific/Kiritimati") == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
