"""Personal deadlines for gezinsmigranten: shared/knowledge/deadline-contract.md (version 2).

Public API:
    compute(inputs, today=None, lang="nl") -> dict   # the contract's output shape
    parse_inputs(raw) -> dict                        # validation and coercion (raises InvalidInput)
    warning_texts(result, lang) -> list[str]

The rules are the small pure functions in rules.py, one per output key; `evaluate` runs them
in dependency order and shapes the result. Only `compute`, the boundary, reads the clock
(`dates.today()`, Europe/Amsterdam) when no reference date is given.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from . import labels, ruleset
from .dates import today as amsterdam_today
from .fields import FIELD_NAMES, InvalidInput, coerce, parse_inputs
from .rules import RULES, Situation, evaluation_order

__all__ = [
    "FIELD_NAMES",
    "InvalidInput",
    "amsterdam_today",
    "compute",
    "evaluate",
    "parse_inputs",
    "warning_texts",
]

TERM_KEYS = ("termijn_start", "termijn_end", "verlenging_earliest", "duo_warning_letter")
DEFAULT_LANG = "nl"


def compute(inputs: Mapping[str, Any], today: date | str | None = None, lang: str | None = None) -> dict[str, Any]:
    """Compute every date and check the inputs allow (contract output shape, ISO strings).

    The reference date is `inputs["today"]` if given, else `today`, else the current date in
    Europe/Amsterdam. `warnings` are in `lang` (also accepted as `inputs["lang"]`; default nl).
    """
    inputs = dict(inputs)
    lang = inputs.pop("lang", None) or lang or DEFAULT_LANG
    data = parse_inputs(inputs)
    reference = data.get("today")
    if reference is None:
        reference = coerce("today", today) if today is not None else amsterdam_today()
    return evaluate(data, reference, lang)


def evaluate(data: Mapping[str, Any], today: date, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """Validated inputs (from `parse_inputs`) and a reference date in, the contract's result out."""
    situation = Situation(data, today)
    for key in evaluation_order():
        value = RULES[key].function(situation)
        if value is not None:
            situation.values[key] = value
    values = situation.values

    result: dict[str, Any] = {}
    if "law" in values:
        result["law"] = values["law"]
    result["dates"] = {key: values[key].isoformat() for key in labels.ordered(values, ("date", "planning"))}
    result["checks"] = {
        key: {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values[key].items()}
        for key in labels.ordered(values, ("check",))
    }
    keys = [k for k in ("law",) if k in result] + list(result["dates"]) + list(result["checks"])
    result["sources"] = {key: ruleset.facts(key) for key in keys}
    codes = values["warning_codes"]
    result["warnings"] = [labels.warning_text(code, lang, _warning_params(today)) for code in codes]
    result["warning_codes"] = list(codes)
    return result


def _warning_params(on: date) -> dict[str, Any]:
    return {"verlenging_max_extension_months": ruleset.parameter("verlenging_max_extension_months", on)}


def warning_texts(result: Mapping[str, Any], lang: str | None, today: date | None = None) -> list[str]:
    """The result's warnings in `lang` (any code; Dutch when unknown), from its `warning_codes`."""
    on = today or date.max
    return [labels.warning_text(code, lang, _warning_params(on)) for code in result.get("warning_codes", [])]
