"""Personal deadlines for gezinsmigranten: shared/knowledge/deadline-contract.md, implemented.

Public API:
    compute(inputs, today=None) -> dict   # the contract's output shape
    parse_inputs(raw) -> dict             # validation and coercion (raises InvalidInput)
    warning_texts(result, lang) -> list[str]

The rules below are pure: `evaluate` gets the reference date as an argument. Only `compute`,
the API boundary, reads the clock (today in Europe/Amsterdam) when no date is given. Every
number comes from rules.yaml via `ruleset.parameter`.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from . import labels, ruleset
from .dates import add_days, add_months, add_years

__all__ = [
    "FIELD_NAMES",
    "InvalidInput",
    "amsterdam_today",
    "compute",
    "evaluate",
    "parse_inputs",
    "warning_texts",
]

DATE_FIELDS = (
    "today",
    "plicht_start",
    "pip_date",
    "mvv_decision_date",
    "mvv_issue_date",
    "arrival_date",
    "relationship_start",
    "residence_start",
    "klaar_date",
)
HOUR_FIELDS = ("hours_bow", "hours_bow_online")
FIELD_NAMES = (
    "today",
    "plicht_start",
    "pip_date",
    "route",
    "hours_bow",
    "hours_bow_online",
    "exams_passed",
    "mvv_decision_date",
    "mvv_issue_date",
    "arrival_date",
    "partner_dutch",
    "relationship_start",
    "residence_start",
    "klaar_date",
)
ROUTES = ("b1", "z", "onderwijs")
MAX_EXAMS = 5
TERM_KEYS = ("termijn_start", "termijn_end", "verlenging_earliest", "duo_warning_letter")
# Plicht start dates this close to the law change are border cases for DUO (fact 10.2).
BORDER_WINDOW = (date(2021, 12, 1), date(2022, 1, 31))

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "yes", "ja", "1", "y", "j"}
_FALSE = {"false", "no", "nee", "0", "n"}


class InvalidInput(ValueError):
    """Bad input for one field. `field` names it; the messages can be shown to the user."""

    def __init__(self, field: str, code: str, message_nl: str, message_en: str) -> None:
        super().__init__(f"{field}: {message_en}")
        self.field = field
        self.code = code
        self.message_nl = message_nl
        self.message_en = message_en

    def message(self, lang: str) -> str:
        return self.message_nl if lang == "nl" else self.message_en


def _error(field: str, code: str) -> InvalidInput:
    nl, en = labels.field_label(field, "nl"), labels.field_label(field, "en")
    texts = {
        "unknown_field": (f"Onbekend veld: {field}.", f"Unknown field: {field}."),
        "invalid_date": (
            f"De {nl} is geen bestaande datum. Schrijf de datum als jaar-maand-dag, bijvoorbeeld 2024-05-12.",
            f"The {en} is not a valid date. Write it as year-month-day, for example 2024-05-12.",
        ),
        "not_a_number": (
            f"Het {nl} moet een getal zijn, bijvoorbeeld 300.",
            f"The {en} must be a number, for example 300.",
        ),
        "negative": (
            f"Het {nl} kan niet kleiner zijn dan 0.",
            f"The {en} cannot be below 0.",
        ),
        "online_above_total": (
            "Het aantal uren online les kan niet hoger zijn dan het totaal aantal uren les.",
            "The number of online lesson hours cannot be higher than the total number of lesson hours.",
        ),
        "exams_range": (
            f"Het {nl} moet een heel getal van 0 tot en met {MAX_EXAMS} zijn.",
            f"The {en} must be a whole number from 0 to {MAX_EXAMS}.",
        ),
        "pip_before_plicht": (
            "De datum van uw PIP ligt vóór de start van uw inburgeringsplicht. Kijk nog eens naar de datum op uw PIP.",
            "The date of your PIP is before the start of your integration duty. Please check the date on your PIP.",
        ),
        "unknown_route": (
            "Kies een leerroute: B1-route, Z-route of onderwijsroute.",
            "Choose a learning route: B1-route, Z-route or education route (onderwijsroute).",
        ),
        "not_boolean": (
            f"Antwoord met ja of nee ({nl}).",
            f"Answer yes or no ({en}).",
        ),
    }
    message_nl, message_en = texts[code]
    return InvalidInput(field, code, message_nl, message_en)


def _coerce_date(field: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _error(field, "invalid_date")


def _coerce_number(field: str, value: Any) -> int | float:
    if isinstance(value, bool):
        raise _error(field, "not_a_number")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
        except ValueError:
            raise _error(field, "not_a_number") from None
    if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        raise _error(field, "not_a_number")
    if value < 0:
        raise _error(field, "negative")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


def _coerce_exams(value: Any) -> int:
    try:
        number = _coerce_number("exams_passed", value)
    except InvalidInput as exc:
        if exc.code == "negative":
            raise _error("exams_passed", "exams_range") from None
        raise
    if not isinstance(number, int) or number > MAX_EXAMS:
        raise _error("exams_passed", "exams_range")
    return number


def _coerce_bool(field: str, value: Any) -> bool:
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
    raise _error(field, "not_boolean")


def _coerce_route(value: Any) -> str:
    if isinstance(value, str):
        text = value.strip().lower().replace("-", "").replace(" ", "")
        text = text.removesuffix("route") if text != "route" else text
        aliases = {"b1": "b1", "z": "z", "onderwijs": "onderwijs", "education": "onderwijs"}
        if text in aliases:
            return aliases[text]
    raise _error("route", "unknown_route")


def parse_inputs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and coerce contract inputs. `None` and "" count as not given.

    Dates: `date` objects or ISO `YYYY-MM-DD` strings. Hours: numbers >= 0. Raises
    InvalidInput naming the first bad field.
    """
    if not isinstance(raw, Mapping):
        raise TypeError("inputs must be a mapping")
    for name in raw:
        if name not in FIELD_NAMES:
            raise _error(str(name), "unknown_field")
    data: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name in DATE_FIELDS:
            data[name] = _coerce_date(name, value)
        elif name in HOUR_FIELDS:
            data[name] = _coerce_number(name, value)
        elif name == "exams_passed":
            data[name] = _coerce_exams(value)
        elif name == "partner_dutch":
            data[name] = _coerce_bool(name, value)
        elif name == "route":
            data[name] = _coerce_route(value)
    if "hours_bow_online" in data and "hours_bow" in data and data["hours_bow_online"] > data["hours_bow"]:
        raise _error("hours_bow_online", "online_above_total")
    if "pip_date" in data and "plicht_start" in data and data["pip_date"] < data["plicht_start"]:
        raise _error("pip_date", "pip_before_plicht")
    return data


def amsterdam_today() -> date:
    """The current calendar date in Europe/Amsterdam (used only at the API boundary)."""
    try:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    except Exception:  # pragma: no cover - no tz database on this system
        return (datetime.utcnow() + timedelta(hours=1)).date()


def compute(inputs: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    """Compute every date and check the inputs allow (contract output shape, ISO strings).

    The reference date is `inputs["today"]` if given, else `today`, else the current date in
    Europe/Amsterdam.
    """
    data = parse_inputs(inputs)
    reference = data.get("today")
    if reference is None:
        reference = _coerce_date("today", today) if today is not None else amsterdam_today()
    return evaluate(data, reference)


def _law(plicht_start: date) -> str:
    start = ruleset.parameter("wi2021_start_date", plicht_start)
    return "wi2021" if plicht_start >= start else "wi2013"


def evaluate(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The pure rules: validated inputs (from `parse_inputs`) and a reference date in, result out."""
    p = ruleset.parameter
    result: dict[str, Any] = {}
    dates: dict[str, date] = {}
    checks: dict[str, dict[str, Any]] = {}
    codes: list[str] = []

    law = _law(data["plicht_start"]) if "plicht_start" in data else None
    if law is not None:
        result["law"] = law
        if law == "wi2013":
            codes.append("wi2013")
        if BORDER_WINDOW[0] <= data["plicht_start"] <= BORDER_WINDOW[1]:
            codes.append("law_border_case")
        if data["plicht_start"] > today:
            codes.append("plicht_start_in_future")
    wi2021_rules_apply = law != "wi2013"

    pip = data.get("pip_date")
    if pip is not None and wi2021_rules_apply:
        if law is None and pip < p("wi2021_start_date", pip):
            codes.append("pip_before_wi2021")
        if pip > today:
            codes.append("pip_in_future")
        start = add_days(pip, p("termijn_start_offset_days", pip))
        years = p("termijn_years", pip)
        end = add_years(pip, years)
        dates["termijn_start"] = start
        dates["termijn_end"] = end
        dates["verlenging_earliest"] = add_months(start, p("verlenging_after_months", pip))
        dates["duo_warning_letter"] = add_months(end, -p("duo_warning_months_before_end", pip))
        if end != add_days(add_years(start, years), -1) or (pip.month, pip.day) == (2, 29):
            codes.append("leap_day")

    if "mvv_decision_date" in data:
        d = data["mvv_decision_date"]
        dates["mvv_collect_by"] = add_months(d, p("mvv_collect_months", d))
    if "mvv_issue_date" in data:
        d = data["mvv_issue_date"]
        dates["enter_nl_by"] = add_days(d, p("enter_nl_days", d))
        codes.append("mvv_sticker")
    if "arrival_date" in data:
        d = data["arrival_date"]
        dates["health_insurance_by"] = add_months(d, p("health_insurance_months", d))

    if "residence_start" in data:
        d = data["residence_start"]
        dates["permanent_residence_earliest"] = add_years(d, p("permanent_residence_years", today))
        codes.append("permanent_residence_conditions")
    naturalisation = []
    if "residence_start" in data:
        naturalisation.append(add_years(data["residence_start"], p("naturalisation_general_years", today)))
    if data.get("partner_dutch") and "relationship_start" in data:
        naturalisation.append(add_years(data["relationship_start"], p("naturalisation_partner_years", today)))
    if naturalisation:
        dates["naturalisation_earliest"] = min(naturalisation)
        codes.append("naturalisation_conditions")

    if "klaar_date" in data:
        d = data["klaar_date"]
        dates["loan_repayment_start"] = add_months(d, p("loan_repayment_delay_months", d))
        codes.append("loan_trigger")

    hours = data.get("hours_bow")
    if pip is not None and wi2021_rules_apply and hours is not None and "exams_passed" in data:
        exams = data["exams_passed"]
        min_hours, min_exams = p("verlenging_min_hours", today), p("verlenging_min_exams", today)
        eligible = hours >= min_hours and exams >= min_exams and today >= dates["verlenging_earliest"]
        check: dict[str, Any] = {
            "eligible": eligible,
            "missing_hours": max(0, min_hours - hours),
            "missing_exams": max(0, min_exams - exams),
        }
        if eligible:
            check["extended_end"] = add_months(dates["termijn_end"], p("verlenging_max_extension_months", today))
        checks["verlenging_hours_ground"] = check
        codes.append("verlenging_conditions")

    if hours is not None and wi2021_rules_apply:
        in_class = hours - data.get("hours_bow_online", 0)
        min_hours, min_in_class = p("afschalen_min_hours", today), p("afschalen_min_in_class_hours", today)
        checks["afschalen"] = {
            "eligible": hours >= min_hours and in_class >= min_in_class,
            "missing_hours": max(0, min_hours - hours),
            "missing_in_class_hours": max(0, min_in_class - in_class),
        }
        codes.append("afschalen_needs_approval")
        if data.get("route") == "z":
            codes.append("route_z")

    if "termijn_end" in dates:
        last_day = checks.get("verlenging_hours_ground", {}).get("extended_end") or dates["termijn_end"]
        if today > last_day:
            codes.append("termijn_passed")
    if dates:
        codes.insert(0, "estimate")

    result["dates"] = {key: dates[key].isoformat() for key in _ordered(dates)}
    result["checks"] = {
        key: {k: (v.isoformat() if isinstance(v, date) else v) for k, v in checks[key].items()}
        for key in _ordered(checks)
    }
    keys = ([] if law is None else ["law"]) + list(result["dates"]) + list(result["checks"])
    result["sources"] = {key: ruleset.facts(key) for key in keys}
    result["warnings"] = [labels.warning_text(code, "en", _warning_params(today)) for code in codes]
    result["warning_codes"] = codes
    return result


def _ordered(mapping: Mapping[str, Any]) -> list[str]:
    order = {key: i for i, key in enumerate(labels.DATE_KEYS + labels.CHECK_KEYS)}
    return sorted(mapping, key=lambda key: order.get(key, len(order)))


def _warning_params(on: date) -> dict[str, Any]:
    return {"verlenging_max_extension_months": ruleset.parameter("verlenging_max_extension_months", on)}


def warning_texts(result: Mapping[str, Any], lang: str, today: date | None = None) -> list[str]:
    """The result's warnings in `lang` ("nl" or "en"), from its `warning_codes`."""
    on = today or date.max
    return [labels.warning_text(code, lang, _warning_params(on)) for code in result.get("warning_codes", [])]
