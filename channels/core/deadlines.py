"""Bridge from the gateway to the deadline engine in `knowledge/` (contract input/output models).

See shared/knowledge/deadline-contract.md. Used by the HTTP API and by the media routes
that render the timeline PNG and calendar file the bot sends.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

EXAMPLE_INPUT = {
    "today": "2026-11-22",
    "plicht_start": "2024-03-01",
    "pip_date": "2024-05-12",
    "hours_bow": 480,
    "hours_bow_online": 100,
    "exams_passed": 2,
}


class DeadlineInput(BaseModel):
    """The contract input; every field is optional and `today` defaults to today in Europe/Amsterdam."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_INPUT]})

    today: date | None = Field(None, description="Reference date (default: today in Europe/Amsterdam)")
    plicht_start: date | None = Field(None, description="Date the residence right was made known")
    pip_date: date | None = Field(None, description="Date (dagtekening) of the first PIP")
    route: Literal["b1", "z", "onderwijs"] | None = None
    hours_bow: float | None = Field(None, ge=0, description="Hours of lessons at a Blik op Werk school")
    hours_bow_online: float | None = Field(None, ge=0, description="Of those, hours followed online")
    exams_passed: int | None = Field(None, ge=0, le=5, description="Integration exams passed (0-5)")
    mvv_decision_date: date | None = None
    mvv_issue_date: date | None = None
    arrival_date: date | None = None
    partner_dutch: bool | None = None
    relationship_start: date | None = None
    residence_start: date | None = None
    klaar_date: date | None = None

    def engine_input(self) -> dict[str, Any]:
        """The given fields except `today`, as Python values."""
        return self.model_dump(exclude_none=True, exclude={"today"})


class DeadlineResult(BaseModel):
    """The contract output."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "law": "wi2021",
                    "dates": {"termijn_start": "2024-05-13", "termijn_end": "2027-05-12"},
                    "checks": {
                        "afschalen": {"eligible": False, "missing_hours": 120, "missing_in_class_hours": 0}
                    },
                    "sources": {"termijn_end": ["1.1", "1.2"]},
                    "warnings": [],
                }
            ]
        }
    )

    law: Literal["wi2021", "wi2013"] | None = None
    dates: dict[str, date] = Field(default_factory=dict)
    checks: dict[str, dict[str, Any]] = Field(default_factory=dict)
    sources: dict[str, list[str]] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)


def today_in(timezone: str = "Europe/Amsterdam") -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def compute(data: DeadlineInput, timezone: str = "Europe/Amsterdam") -> tuple[Any, date]:
    """Run `knowledge.deadlines.compute`; returns (the engine's result, the reference date).

    Raises `knowledge.deadlines.InvalidInput` for input the engine refuses.
    """
    from knowledge import deadlines

    today = data.today or today_in(timezone)
    return deadlines.compute(data.engine_input(), today), today


def as_contract_dict(result: Any) -> dict[str, Any]:
    """The engine's result as the contract's JSON object (dates as ISO strings)."""
    if hasattr(result, "to_dict"):
        raw = result.to_dict()
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        raw = dataclasses.asdict(result)
    else:
        raw = dict(result)
    return _jsonable(raw)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def invalid_field(exc: Exception) -> str:
    """The input field an `InvalidInput` error names."""
    return str(getattr(exc, "field", None) or "body")


def render_png(result: Any, lang: str, today: date) -> bytes:
    from knowledge import timeline

    return timeline.render_png(result, lang, today)


def render_ics(result: Any, lang: str) -> bytes:
    from knowledge import calendar_ics

    ics = calendar_ics.to_ics(result, lang)
    return ics.encode("utf-8") if isinstance(ics, str) else ics
