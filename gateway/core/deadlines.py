"""Bridge from the gateway to the deadline engine in `knowledge/` (contract input/output models).

See shared/knowledge/deadline-contract.md (version 2). The input model is generated from the one
definition of the fields (`knowledge.deadlines.fields.FIELDS`: names, types, bounds). Used by the
HTTP API and by the media routes that render the timeline PNG and calendar file the bot sends.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from knowledge.deadlines import fields as deadline_fields

EXAMPLE_INPUT: dict[str, Any] = {
    "today": "2026-11-22",
    "plicht_start": "2024-03-01",
    "pip_date": "2024-05-12",
    "hours_bow": 480,
    "hours_bow_online": 100,
    "exams_passed": 2,
    "hours_per_week": 6,
}
# Request options next to the contract's input fields (not passed to the rules as input).
REQUEST_OPTIONS = ("lang",)


class _DeadlineInputBase(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_INPUT]})

    lang: str | None = Field(None, description="Language of the warning texts (default nl)")

    def engine_input(self) -> dict[str, Any]:
        """The given contract fields except `today`, as Python values."""
        return self.model_dump(exclude_none=True, exclude={"today", *REQUEST_OPTIONS})


def _annotation(spec: deadline_fields.Field) -> Any:
    if spec.kind == deadline_fields.DATE:
        return date | None
    if spec.kind == deadline_fields.HOURS:
        return float | None
    if spec.kind == deadline_fields.COUNT:
        return int | None
    if spec.kind == deadline_fields.BOOL:
        return bool | None
    return Literal[spec.choices] | None  # type: ignore[valid-type]


def _field(spec: deadline_fields.Field) -> Any:
    bounds: dict[str, Any] = {}
    if spec.minimum is not None:
        bounds["ge"] = spec.minimum
    if spec.maximum is not None:
        bounds["le"] = spec.maximum
    return Field(None, description=spec.label("en"), **bounds)


def input_model() -> type[_DeadlineInputBase]:
    """The API's input model, generated from the one definition of the fields
    (knowledge/deadlines/fields.py: names, types, bounds; descriptions are the English labels)."""
    definitions = {spec.name: (_annotation(spec), _field(spec)) for spec in deadline_fields.FIELDS}
    model = create_model(  # type: ignore[call-overload]
        "DeadlineInput", __base__=_DeadlineInputBase, **definitions
    )
    model.__doc__ = (
        "The contract input (version 2); every field is optional and `today` defaults to today "
        "in Europe/Amsterdam."
    )
    return model


if TYPE_CHECKING:  # the generated fields are dynamic; the type checker sees the base
    DeadlineInput = _DeadlineInputBase
else:
    DeadlineInput = input_model()


class DeadlineResult(BaseModel):
    """The contract output."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "law": "wi2021",
                    "dates": {"termijn_start": "2024-05-13", "termijn_end": "2027-05-12",
                              "hours_600_reached": "2027-01-10"},
                    "checks": {
                        "termijn_status": {"state": "running", "days_left": 171},
                        "afschalen": {"eligible": False, "missing_hours": 120, "missing_in_class_hours": 0},
                    },
                    "sources": {"termijn_end": ["1.1", "1.2"]},
                    "warnings": [],
                    "warning_codes": [],
                }
            ]
        }
    )

    law: Literal["wi2021", "wi2013"] | None = None
    dates: dict[str, date] = Field(default_factory=dict)
    checks: dict[str, dict[str, Any]] = Field(default_factory=dict)
    sources: dict[str, list[str]] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    warning_codes: list[str] = Field(default_factory=list, description="Stable codes of `warnings`, same order")


def today_in(timezone: str = "Europe/Amsterdam") -> date:
    from knowledge.deadlines import today

    return today(timezone)


def compute(data: Any, timezone: str = "Europe/Amsterdam", lang: str | None = None) -> tuple[Any, date]:
    """Run `knowledge.deadlines.compute`; returns (the engine's result, the reference date).

    `data` is a `DeadlineInput`. The warnings are in `lang`, else the body's `lang`, else Dutch.
    Raises `knowledge.deadlines.InvalidInput` for input the engine refuses.
    """
    from knowledge import deadlines

    today = data.today or today_in(timezone)
    return deadlines.compute(data.engine_input(), today, lang or data.lang), today


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
