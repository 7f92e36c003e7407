"""The deadline input fields, defined once: name, type, bounds (labels: the text catalogue).

The engine's `parse_inputs`, the gateway's pydantic model (gateway/core/deadlines.py, generated
from `FIELDS`) and the chat (bot/dialogue/deadline_chat.py) all read this table. A field's label
in a language is `texts.text("deadlines.field.<name>", lang)`; its error messages are
`deadlines.error.<code>` in the same catalogue.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

from knowledge import texts

__all__ = [
    "FIELDS",
    "FIELD_NAMES",
    "Field",
    "InvalidInput",
    "field",
    "field_label",
    "parse_inputs",
]

DATE, HOURS, COUNT, BOOL, CHOICE = "date", "hours", "count", "bool", "choice"


@dataclass(frozen=True)
class Field:
    """One contract input. `minimum`/`maximum` are inclusive bounds for numbers."""

    name: str
    kind: str  # date | hours | count | bool | choice
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    version: int = 1  # the contract version that added the field

    def label(self, lang: str | None) -> str:
        return field_label(self.name, lang)


FIELDS: tuple[Field, ...] = (
    Field("today", DATE),
    Field("plicht_start", DATE),
    Field("pip_date", DATE),
    Field("route", CHOICE, choices=("b1", "z", "onderwijs")),
    Field("hours_bow", HOURS, minimum=0),
    Field("hours_bow_online", HOURS, minimum=0),
    Field("exams_passed", COUNT, minimum=0, maximum=5),
    Field("mvv_decision_date", DATE),
    Field("mvv_issue_date", DATE),
    Field("arrival_date", DATE),
    Field("partner_dutch", BOOL),
    Field("relationship_start", DATE),
    Field("marriage_date", DATE, version=2),
    Field("cohabitation_start", DATE, version=2),
    Field("residence_start", DATE),
    Field("klaar_date", DATE),
    Field("hours_per_week", HOURS, minimum=0, maximum=40, version=2),
)
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
_BY_NAME = {f.name: f for f in FIELDS}

# Words people use for a route, folded (lower case, no "-route", no spaces).
ROUTE_ALIASES = {"b1": "b1", "z": "z", "onderwijs": "onderwijs", "education": "onderwijs"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "yes", "ja", "1", "y", "j"}
_FALSE = {"false", "no", "nee", "0", "n"}


def field(name: str) -> Field:
    return _BY_NAME[name]


def field_label(name: str, lang: str | None) -> str:
    key = f"deadlines.field.{name}"
    return texts.text(key, lang) if key in texts.catalogue("nl") else name


class InvalidInput(ValueError):
    """Bad input for one field. `field` names it; `message(lang)` explains it to the user."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        self.field = field
        self.code = code
        self.params = params
        super().__init__(f"{field}: {self.message('en')}")

    def message(self, lang: str | None) -> str:
        return texts.text(f"deadlines.error.{self.code}", lang, field=self.field,
                          label=field_label(self.field, lang), **self.params)

    @property
    def message_nl(self) -> str:
        return self.message("nl")

    @property
    def message_en(self) -> str:
        return self.message("en")


def _coerce_date(name: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(name, "invalid_date")


def _coerce_number(name: str, value: Any) -> int | float:
    if isinstance(value, bool):
        raise InvalidInput(name, "not_a_number")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
        except ValueError:
            raise InvalidInput(name, "not_a_number") from None
    if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        raise InvalidInput(name, "not_a_number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


def _coerce_hours(spec: Field, value: Any) -> int | float:
    number = _coerce_number(spec.name, value)
    if spec.minimum is not None and number < spec.minimum:
        raise InvalidInput(spec.name, "negative")
    if spec.maximum is not None and number > spec.maximum:
        raise InvalidInput(spec.name, "above_max", maximum=_plain(spec.maximum))
    return number


def _coerce_count(spec: Field, value: Any) -> int:
    try:
        number = _coerce_number(spec.name, value)
    except InvalidInput:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise InvalidInput(spec.name, "exams_range") from None
        raise
    low, high = spec.minimum if spec.minimum is not None else 0, spec.maximum
    if not isinstance(number, int) or number < low or (high is not None and number > high):
        raise InvalidInput(spec.name, "exams_range", maximum=_plain(spec.maximum))
    return number


def _coerce_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise InvalidInput(name, "not_boolean")


def _coerce_choice(spec: Field, value: Any) -> str:
    if isinstance(value, str):
        text = value.strip().lower().replace("-", "").replace(" ", "")
        text = text.removesuffix("route") if text != "route" else text
        if ROUTE_ALIASES.get(text) in spec.choices:
            return ROUTE_ALIASES[text]
    raise InvalidInput(spec.name, "unknown_route")


def _plain(number: float | None) -> int | float | None:
    return int(number) if isinstance(number, float) and number.is_integer() else number


def coerce(name: str, value: Any) -> Any:
    """One field's value, checked and converted (raises InvalidInput)."""
    spec = _BY_NAME[name]
    if spec.kind == DATE:
        return _coerce_date(name, value)
    if spec.kind == HOURS:
        return _coerce_hours(spec, value)
    if spec.kind == COUNT:
        return _coerce_count(spec, value)
    if spec.kind == BOOL:
        return _coerce_bool(name, value)
    return _coerce_choice(spec, value)


def parse_inputs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and coerce contract inputs. `None` and "" count as not given.

    Dates: `date` objects or ISO `YYYY-MM-DD` strings. Hours: numbers within the field's bounds.
    Raises InvalidInput naming the first bad field.
    """
    if not isinstance(raw, Mapping):
        raise TypeError("inputs must be a mapping")
    for name in raw:
        if name not in _BY_NAME:
            raise InvalidInput(str(name), "unknown_field")
    data: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        data[name] = coerce(name, value)
    if "hours_bow_online" in data and "hours_bow" in data and data["hours_bow_online"] > data["hours_bow"]:
        raise InvalidInput("hours_bow_online", "online_above_total", total=data["hours_bow"])
    if "pip_date" in data and "plicht_start" in data and data["pip_date"] < data["plicht_start"]:
        raise InvalidInput("pip_date", "pip_before_plicht")
    return data
