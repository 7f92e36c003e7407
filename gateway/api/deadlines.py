"""`POST /api/v1/deadlines` and `POST /api/v1/deadlines.ics`: the deadline engine over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse

from gateway.api.deps import SettingsDep
from gateway.core import deadlines
from gateway.core.deadlines import EXAMPLE_INPUT, DeadlineInput, DeadlineResult
from gateway.media import calendar_ics

router = APIRouter(prefix="/api/v1", tags=["deadlines"])

INPUT_EXAMPLES = {
    "pip_with_hours": {"summary": "PIP date, hours and exams", "value": EXAMPLE_INPUT},
    "pip_leap_day": {
        "summary": "PIP dated 29 February",
        "value": {"pip_date": "2024-02-29", "today": "2025-06-01"},
    },
    "mvv": {
        "summary": "Before arrival: mvv",
        "value": {"mvv_decision_date": "2026-10-01", "mvv_issue_date": "2026-11-02"},
    },
    "naturalisation": {
        "summary": "Naturalisation as the partner of a Dutch national (version 2)",
        "value": {"partner_dutch": True, "marriage_date": "2021-03-10", "cohabitation_start": "2020-09-01",
                  "residence_start": "2020-06-01", "lang": "en"},
    },
    "pace": {
        "summary": "Hours per week: when 450 and 600 hours are reached (planning)",
        "value": {"pip_date": "2024-01-12", "hours_bow": 360, "hours_per_week": 6, "today": "2026-05-27"},
    },
}
LangQuery = Annotated[str | None, Query(description="Language of the texts (any code; Dutch when unknown)")]
ERROR_422 = {
    "description": "Invalid input; `loc` names the field",
    "content": {
        "application/json": {
            "example": {
                "detail": [
                    {
                        "loc": ["body", "hours_bow_online"],
                        "msg": "online hours above total hours",
                        "type": "value_error",
                    }
                ]
            }
        }
    },
}
InputBody = Annotated[DeadlineInput, Body(openapi_examples=INPUT_EXAMPLES)]


def _invalid(exc: Exception) -> JSONResponse:
    field = deadlines.invalid_field(exc)
    detail = [{"loc": ["body", field], "msg": str(exc), "type": "value_error"}]
    return JSONResponse(status_code=422, content={"detail": detail})


@router.post(
    "/deadlines",
    response_model=DeadlineResult,
    response_model_exclude_unset=True,
    responses={422: ERROR_422},
    summary="Compute personal inburgering deadlines",
    description="Takes the deadline contract's input (version 2; every field optional) and returns its "
    "output: `law`, `dates` (legal dates and the planning estimates `hours_450_reached` / "
    "`hours_600_reached`), `checks` (incl. `termijn_status`), `sources` (fact-sheet rows), `warnings` "
    "(in `lang`, default nl) and `warning_codes`. Dates are estimates; the DUO letter / Mijn "
    "Inburgering wins. Bad input answers 422 naming the field in `loc`.",
)
def compute_deadlines(data: InputBody, settings: SettingsDep, lang: LangQuery = None) -> Any:
    from knowledge.deadlines import InvalidInput

    try:
        result, _today = deadlines.compute(data, settings.timezone, lang)
    except InvalidInput as exc:
        return _invalid(exc)
    return DeadlineResult.model_validate(deadlines.as_contract_dict(result))


@router.post(
    "/deadlines.ics",
    response_class=Response,
    responses={
        200: {
            "description": "RFC 5545 calendar with one all-day event per date",
            "content": {"text/calendar": {}},
        },
        422: ERROR_422,
    },
    summary="The same deadlines as a calendar file (.ics)",
)
def deadlines_ics(
    data: InputBody,
    settings: SettingsDep,
    lang: LangQuery = None,
) -> Response:
    from knowledge.deadlines import InvalidInput

    lang = lang or data.lang or "nl"
    try:
        result, _today = deadlines.compute(data, settings.timezone, lang)
    except InvalidInput as exc:
        return _invalid(exc)
    return Response(
        calendar_ics.ics_bytes(result, lang),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="wegwijs-deadlines.ics"'},
    )
