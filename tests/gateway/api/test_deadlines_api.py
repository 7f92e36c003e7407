"""`POST /api/v1/deadlines` and `.ics`: the deadline contract over HTTP."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml

pytestmark = pytest.mark.asyncio
DEV_DEADLINES = Path(__file__).resolve().parents[4] / "shared" / "eval" / "dev-deadlines.yml"
API = "/api/v1/deadlines"


def dev_cases() -> list[tuple[int, dict]]:
    if not DEV_DEADLINES.exists():
        return []
    return list(enumerate(yaml.safe_load(DEV_DEADLINES.read_text(encoding="utf-8")), 1))


@pytest.mark.skipif(not DEV_DEADLINES.exists(), reason="shared/eval/dev-deadlines.yml not present")
@pytest.mark.parametrize(("number", "case"), dev_cases(), ids=lambda value: f"{value}")
async def test_dev_deadline_examples_give_their_version_2_law_dates_and_checks_through_http(
    client: httpx.AsyncClient, number: int, case: dict
) -> None:
    from knowledge import deadlines
    from tests.knowledge.test_deadlines import v2_expectation  # the v2 changes, with the reasons

    response = await client.post(API, json=case["input"])
    assert response.status_code == 200, response.text
    body = response.json()
    direct = deadlines.compute(case["input"])
    expect = v2_expectation(number, case)
    for key in ("law", "dates", "checks"):
        if key in expect:
            assert body.get(key) == expect[key], key
        assert body.get(key) == direct.get(key), key
    assert body["warning_codes"] == direct["warning_codes"]
    assert len(body["warnings"]) == len(body["warning_codes"])


async def test_the_reference_date_defaults_to_today_in_amsterdam(client: httpx.AsyncClient) -> None:
    from gateway.core.deadlines import today_in

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
        ({"hours_per_week": 41}, "hours_per_week"),
        ({"hours_per_week": -1}, "hours_per_week"),
        ({"hours_per_week": "zes"}, "hours_per_week"),
        ({"marriage_date": "2021-02-30"}, "marriage_date"),
        ({"cohabitation_start": "15-06-2020"}, "cohabitation_start"),
        ({"exams_passed": 2.5}, "exams_passed"),
        ({"partner_dutch": "misschien"}, "partner_dutch"),
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
        "more than 40 hours a week",
        "negative hours a week",
        "hours a week as a word",
        "an impossible marriage date",
        "a start of living together written day-first",
        "half an exam",
        "maybe instead of yes or no",
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
    pytest.importorskip("gateway.media.calendar_ics")
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


async def test_version_2_output_through_http(client: httpx.AsyncClient) -> None:
    payload = {"plicht_start": "2021-10-01", "pip_date": "2022-02-01", "route": "z", "hours_bow": 300,
               "exams_passed": 1, "hours_per_week": 6, "today": "2024-11-01"}
    body = (await client.post(API, json=payload)).json()
    assert body["law"] == "wi2021"
    assert body["checks"]["termijn_status"] == {"state": "running", "days_left": 92}  # to 2025-02-01
    assert body["checks"]["verlenging_hours_ground"]["reason"] == "route"
    assert body["checks"]["afschalen"] == {"eligible": False, "missing_hours": 300, "missing_in_class_hours": 0,
                                           "reason": "route"}
    assert body["dates"]["hours_450_reached"] == "2025-04-25"  # + 7 x 25 days
    assert body["dates"]["hours_600_reached"] == "2025-10-17"  # + 7 x 50 days
    assert body["warning_codes"][:2] == ["estimate", "law_conflict"]
    assert len(body["warnings"]) == len(body["warning_codes"])
    assert "Een PIP bestaat alleen" in body["warnings"][1]  # Dutch by default


@pytest.mark.parametrize("where", ["body", "query"])
async def test_warnings_come_in_the_requested_language(client: httpx.AsyncClient, where: str) -> None:
    payload = {"plicht_start": "2021-11-15", "today": "2025-01-01"}
    if where == "body":
        response = await client.post(API, json={**payload, "lang": "en"})
    else:
        response = await client.post(API, json=payload, params={"lang": "en"})
    body = response.json()
    assert body["warning_codes"] == ["wi2013"]
    assert body["warnings"][0].startswith("Your integration duty started before 1 January 2022")


async def test_a_language_wegwijs_does_not_speak_gets_dutch_warnings(client: httpx.AsyncClient) -> None:
    body = (await client.post(API, json={"plicht_start": "2021-11-15", "lang": "xx"})).json()
    assert body["warnings"][0].startswith("Uw inburgeringsplicht begon")
    turkish = (await client.post(API, json={"plicht_start": "2021-11-15", "lang": "tr"})).json()
    assert turkish["warning_codes"] == body["warning_codes"] and turkish["warnings"] != body["warnings"]


async def test_a_version_1_relationship_start_gives_the_version_2_naturalisation_date(client: httpx.AsyncClient) -> None:
    old = {"partner_dutch": True, "relationship_start": "2019-06-15", "residence_start": "2023-01-10"}
    new = {"partner_dutch": True, "marriage_date": "2019-06-15", "cohabitation_start": "2019-06-15",
           "residence_start": "2023-01-10"}
    first, second = [(await client.post(API, json=body)).json() for body in (old, new)]
    assert first["dates"] == second["dates"]
    assert first["dates"]["naturalisation_earliest"] == "2023-01-10"
    assert "naturalisation_conditions" in first["warning_codes"]


async def test_the_api_model_is_generated_from_the_one_field_definition() -> None:
    from gateway.core.deadlines import REQUEST_OPTIONS, DeadlineInput
    from knowledge.deadlines.fields import FIELDS

    properties = DeadlineInput.model_json_schema()["properties"]
    assert set(properties) == {spec.name for spec in FIELDS} | set(REQUEST_OPTIONS)
    for spec in FIELDS:
        schema = properties[spec.name]
        bounds = {k: v for option in schema.get("anyOf", [schema]) for k, v in option.items()
                  if k in ("minimum", "maximum")}
        expected = {k: v for k, v in (("minimum", spec.minimum), ("maximum", spec.maximum)) if v is not None}
        assert bounds == expected, spec.name
        assert schema["description"] == spec.label("en")
    route = properties["route"]["anyOf"][0]
    assert route["enum"] == ["b1", "z", "onderwijs"]


async def test_the_calendar_marks_planning_dates(client: httpx.AsyncClient) -> None:
    icalendar = pytest.importorskip("icalendar")
    payload = {"pip_date": "2024-01-12", "hours_bow": 360, "hours_per_week": 6, "today": "2026-05-27"}
    response = await client.post(f"{API}.ics", json=payload, params={"lang": "en"})
    summaries = {str(event["SUMMARY"]) for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}
    assert "Planning: 600 lesson hours reached (planning)" in summaries
    assert "End of your integration term" in summaries
