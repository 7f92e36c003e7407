"""`POST /api/v1/deadlines` and `POST /api/v1/deadlines.ics`: the deadline engine over HTTP."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse

from channels.api.deps import SettingsDep
from channels.core import deadlines
from channels.core.deadlines import EXAMPLE_INPUT, DeadlineInput, DeadlineResult

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
}
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
    description="Takes the deadline contract's input (every field optional) and returns its output: "
    "`law`, `dates`, `checks`, `sources` (fact-sheet rows) and `warnings`. Dates are estimates; "
    "the DUO letter / Mijn Inburgering wins.",
)
def compute_deadlines(data: InputBody, settings: SettingsDep) -> Any:
    from knowledge.deadlines import InvalidInput

    try:
        result, _today = deadlines.compute(data, settings.timezone)
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
    lang: Annotated[Literal["nl", "en"], Query(description="Language of the calendar texts")] = "nl",
) -> Response:
    from knowledge.deadlines import InvalidInput

    try:
        result, _today = deadlines.compute(data, settings.timezone)
    except InvalidInput as exc:
        return _invalid(exc)
    return Response(
        deadlines.render_ics(result, lang),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="wegwijs-deadlines.ics"'},
    )
