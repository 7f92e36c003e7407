"""`POST /api/v1/deadlines` and `.ics`: the deadline contract over HTTP."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml

pytestmark = pytest.mark.asyncio
DEV_DEADLINES = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev-deadlines.yml"
API = "/api/v1/deadlines"


def dev_cases() -> list[dict]:
    if not DEV_DEADLINES.exists():
        return []
    return yaml.safe_load(DEV_DEADLINES.read_text(encoding="utf-8"))


@pytest.mark.skipif(not DEV_DEADLINES.exists(), reason="shared/eval/dev-deadlines.yml not present")
@pytest.mark.parametrize("case", dev_cases(), ids=lambda case: f"{case['input']}")
async def test_dev_deadline_examples_give_the_same_law_dates_and_checks_through_http(
    client: httpx.AsyncClient, case: dict
) -> None:
    from knowledge import deadlines

    response = await client.post(API, json=case["input"])
    assert response.status_code == 200, response.text
    body = response.json()
    direct = deadlines.compute(case["input"])
    expect = case["expect"]
    for key in ("law", "dates", "checks"):
        if key in expect:
            assert body.get(key) == expect[key], key
        assert body.get(key) == direct.get(key), key


async def test_the_reference_date_defaults_to_today_in_amsterdam(client: httpx.AsyncClient) -> None:
    from channels.core.deadlines import today_in

    body = (await client.post(API, json={"arrival_date": today_in().isoformat()})).json()
    assert "health_insurance_by" in body["dates"]
    assert "law" not in body


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"pip_date": "2025-02-30"}, "pip_date"),
        ({"pip_date": "12 mei 2024"}, "pip_date"),
        ({"hours_bow": -5}, "hours_bow"),
        ({"hours_bow": 100, "hours_bow_online": 200}, "hours_bow_online"),
        ({"hours_bow": "veel"}, "hours_bow"),
        ({"exams_passed": 6}, "exams_passed"),
        ({"plicht_start": "2024-06-01", "pip_date": "2024-01-01"}, "pip_date"),
        ({"route": "c2"}, "route"),
        ({"pipdate": "2024-01-01"}, "pipdate"),
    ],
    ids=[
        "an impossible date (30 February)",
        "a date not written as year-month-day",
        "negative hours",
        "more online hours than total hours",
        "text instead of a number",
        "more than 5 exams",
        "a PIP before the start of the duty",
        "an unknown route",
        "an unknown field",
    ],
)
async def test_bad_input_answers_422_naming_the_field(
    client: httpx.AsyncClient, payload: dict, field: str
) -> None:
    response = await client.post(API, json=payload)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"][:2] == ["body", field]
    assert detail[0]["msg"]


async def test_the_calendar_file_parses_back_with_the_computed_dates(client: httpx.AsyncClient) -> None:
    icalendar = pytest.importorskip("icalendar")
    pytest.importorskip("knowledge.calendar_ics")
    payload = {"pip_date": "2024-02-29", "today": "2025-06-01"}
    dates = (await client.post(API, json=payload)).json()["dates"]
    response = await client.post(f"{API}.ics", json=payload, params={"lang": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    event_dates = {component.decoded("dtstart") for component in calendar.walk("VEVENT")}
    assert date.fromisoformat(dates["termijn_end"]) in event_dates
    assert date(2027, 2, 28) in event_dates


async def test_the_calendar_endpoint_also_refuses_bad_input_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(f"{API}.ics", json={"hours_bow": 10, "hours_bow_online": 11})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "hours_bow_online"]


async def test_both_endpoints_are_documented_in_openapi_with_examples(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in (API, f"{API}.ics"):
        operation = spec["paths"][path]["post"]
        assert operation["requestBody"]["content"]["application/json"]["examples"]
        assert "422" in operation["responses"]
    assert "text/calendar" in spec["paths"][f"{API}.ics"]["post"]["responses"]["200"]["content"]
    assert "DeadlineResult" in spec["components"]["schemas"]
