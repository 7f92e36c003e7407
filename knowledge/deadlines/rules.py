"""The deadline rules: one small pure function per output key (OpenFisca style).

Each function gets a `Situation` (validated inputs, the reference date and the keys computed
before it) and returns the key's value, or None when its inputs are missing (then the key is
absent). Its parameters come from rules.yaml (`ruleset.parameter`), and rules.yaml names the
function (`function: knowledge.deadlines.rules.<key>`) beside its legal basis and fact rows.
`RULES` is the table the engine runs in dependency order (`needs`). Contract:
shared/knowledge/deadline-contract.md, version 2.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping

from . import ruleset
from .dates import add_days, add_months, add_years

__all__ = ["BORDER_WINDOW", "RULES", "WARNINGS", "Rule", "Situation", "evaluation_order"]

# Plicht start dates this close to the law change are border cases for DUO (fact 10.2).
BORDER_WINDOW = (date(2021, 12, 1), date(2022, 1, 31))


@dataclass
class Situation:
    """What one evaluation knows: the inputs, the reference date and the keys computed so far."""

    data: Mapping[str, Any]
    today: date
    values: dict[str, Any] = field(default_factory=dict)

    def input(self, name: str) -> Any:
        return self.data.get(name)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def wi2021_rules_apply(self) -> bool:
        """The Wi2021 term rules apply unless the law is known to be the Wi2013."""
        return self.values.get("law") != "wi2013"


def p(name: str, on: date) -> Any:
    return ruleset.parameter(name, on)


@dataclass(frozen=True)
class Rule:
    key: str
    kind: str  # law | date | planning | check | warnings
    function: Callable[[Situation], Any]
    needs: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"


RULES: dict[str, Rule] = {}


def rule(kind: str, needs: tuple[str, ...] = ()) -> Callable[[Callable[[Situation], Any]], Callable[[Situation], Any]]:
    """Register a function as the rule for the output key of the same name."""

    def register(function: Callable[[Situation], Any]) -> Callable[[Situation], Any]:
        RULES[function.__name__] = Rule(function.__name__, kind, function, needs)
        return function

    return register


# --- law (facts 10.1-10.3, 1.2, 1.5, 1.6) ---------------------------------------------------

@rule("law")
def law(s: Situation) -> str | None:
    """wi2021 from 1-1-2022; before that wi2013, unless a PIP exists (only the Wi2021 has one:
    then wi2021 with warning `law_conflict`)."""
    start = s.input("plicht_start")
    if start is None:
        return None
    if start >= p("wi2021_start_date", start) or s.input("pip_date") is not None:
        return "wi2021"
    return "wi2013"


# --- the term (facts 1.1-1.3, 2.4, 5.3) -----------------------------------------------------

@rule("date", needs=("law",))
def termijn_start(s: Situation) -> date | None:
    """The day after the PIP's date (Wi2021 art. 11 lid 2)."""
    pip = s.input("pip_date")
    if pip is None or not s.wi2021_rules_apply():
        return None
    return add_days(pip, p("termijn_start_offset_days", pip))


@rule("date", needs=("law",))
def termijn_end(s: Situation) -> date | None:
    """add_years(PIP date, 3): the inclusive last day (Wi2021 art. 11 lid 1)."""
    pip = s.input("pip_date")
    if pip is None or not s.wi2021_rules_apply():
        return None
    return add_years(pip, p("termijn_years", pip))


@rule("date", needs=("termijn_start",))
def verlenging_earliest(s: Situation) -> date | None:
    """The term's start plus 30 months: most extension grounds need 2.5 years (fact 2.4)."""
    start = s.get("termijn_start")
    if start is None:
        return None
    return add_months(start, p("verlenging_after_months", s.input("pip_date")))


@rule("date", needs=("termijn_end",))
def duo_warning_letter(s: Situation) -> date | None:
    """About two months before the end DUO writes (fact 5.3): practice, not law."""
    end = s.get("termijn_end")
    if end is None:
        return None
    return add_months(end, -p("duo_warning_months_before_end", s.input("pip_date")))


@rule("check", needs=("termijn_end", "duo_warning_letter"))
def termijn_status(s: Situation) -> dict[str, Any] | None:
    """running / ending_soon (from the DUO letter on) / passed (after the last day).

    A possible extension never changes it: an extension is only known once DUO grants it.
    """
    end, letter = s.get("termijn_end"), s.get("duo_warning_letter")
    if end is None or letter is None:
        return None
    if s.today > end:
        state = "passed"
    elif s.today >= letter:
        state = "ending_soon"
    else:
        state = "running"
    return {"state": state, "days_left": (end - s.today).days}


# --- before and after arrival (section H; facts 7.3, 7.4, 7.10, 7.14) -----------------------

@rule("date")
def mvv_collect_by(s: Situation) -> date | None:
    decided = s.input("mvv_decision_date")
    return None if decided is None else add_months(decided, p("mvv_collect_months", decided))


@rule("date")
def enter_nl_by(s: Situation) -> date | None:
    issued = s.input("mvv_issue_date")
    return None if issued is None else add_days(issued, p("enter_nl_days", issued))


@rule("date")
def health_insurance_by(s: Situation) -> date | None:
    arrived = s.input("arrival_date")
    return None if arrived is None else add_months(arrived, p("health_insurance_months", arrived))


@rule("date")
def permanent_residence_earliest(s: Situation) -> date | None:
    start = s.input("residence_start")
    return None if start is None else add_years(start, p("permanent_residence_years", s.today))


# --- naturalisation (facts 7.11, 7.12; section H) --------------------------------------------

def partner_dates(s: Situation) -> tuple[date | None, date | None]:
    """(marriage_date, cohabitation_start); a version 1 `relationship_start` means both."""
    fallback = s.input("relationship_start")
    marriage = s.input("marriage_date") or fallback
    cohabitation = s.input("cohabitation_start") or fallback
    return marriage, cohabitation


def naturalisation_five_years(s: Situation) -> date | None:
    """Five years of continuous lawful residence."""
    start = s.input("residence_start")
    return None if start is None else add_years(start, p("naturalisation_general_years", s.today))


def naturalisation_partner_period_start(s: Situation) -> date | None:
    """When the three years with a Dutch partner start counting.

    Married (or registered partners) and living together counts anywhere; unmarried living
    together counts only in the Netherlands with a residence permit, directly before the marriage.
    """
    if s.input("partner_dutch") is not True:
        return None
    marriage, cohabitation = partner_dates(s)
    residence = s.input("residence_start")
    in_nl_together = max(cohabitation, residence) if cohabitation and residence else None  # U
    if marriage is not None:
        married_and_together = max(marriage, cohabitation or marriage)  # M
        if in_nl_together is not None and in_nl_together < marriage:
            return in_nl_together
        return married_and_together
    return in_nl_together


def naturalisation_partner(s: Situation) -> date | None:
    """Three years after the period starts, never before the residence start."""
    start = naturalisation_partner_period_start(s)
    if start is None:
        return None
    earliest = add_years(start, p("naturalisation_partner_years", s.today))
    residence = s.input("residence_start")
    return max(earliest, residence) if residence else earliest


@rule("date")
def naturalisation_earliest(s: Situation) -> date | None:
    """The earliest of the routes the inputs allow; absent when none applies."""
    routes = [d for d in (naturalisation_five_years(s), naturalisation_partner(s)) if d is not None]
    return min(routes) if routes else None


@rule("date")
def loan_repayment_start(s: Situation) -> date | None:
    done = s.input("klaar_date")
    return None if done is None else add_months(done, p("loan_repayment_delay_months", done))


# --- hours: checks (facts 2.4-2.6, 3.4, 3.5, 3.7) and pace (section D, planning) -------------

@rule("check", needs=("law", "termijn_end", "verlenging_earliest"))
def verlenging_hours_ground(s: Situation) -> dict[str, Any] | None:
    """450 hours, 2 exams and 2.5 years: at most 6 months extra, automatically (facts 2.5, 2.6).
    The Z-route has no exams, so not there (`reason: route`, fact 3.7)."""
    end, hours, exams = s.get("termijn_end"), s.input("hours_bow"), s.input("exams_passed")
    if end is None or hours is None or exams is None:
        return None
    min_hours, min_exams = p("verlenging_min_hours", s.today), p("verlenging_min_exams", s.today)
    check: dict[str, Any] = {
        "eligible": hours >= min_hours and exams >= min_exams and s.today >= s.get("verlenging_earliest"),
        "missing_hours": max(0, min_hours - hours),
        "missing_exams": max(0, min_exams - exams),
    }
    if s.input("route") in p("verlenging_routes_without_hours_ground", s.today):
        check.update(eligible=False, reason="route")
    if check["eligible"]:
        check["extended_end"] = add_months(end, p("verlenging_max_extension_months", s.today))
    return check


@rule("check", needs=("law",))
def afschalen(s: Situation) -> dict[str, Any] | None:
    """600 hours of which 300 in class, within the B1-route only (facts 3.4, 3.5)."""
    hours = s.input("hours_bow")
    if hours is None or not s.wi2021_rules_apply():
        return None
    in_class = hours - (s.input("hours_bow_online") or 0)
    min_hours, min_in_class = p("afschalen_min_hours", s.today), p("afschalen_min_in_class_hours", s.today)
    check: dict[str, Any] = {
        "eligible": hours >= min_hours and in_class >= min_in_class,
        "missing_hours": max(0, min_hours - hours),
        "missing_in_class_hours": max(0, min_in_class - in_class),
    }
    route = s.input("route")
    if route is not None and route not in p("afschalen_routes", s.today):
        check.update(eligible=False, reason="route")
    return check


def hours_reached(s: Situation, target: int | float) -> date | None:
    """today + 7 x ceil((target - hours_bow) / hours_per_week) days, while hours_bow < target."""
    hours, per_week = s.input("hours_bow"), s.input("hours_per_week")
    if hours is None or not per_week or per_week <= 0 or hours >= target:
        return None
    weeks = math.ceil((Decimal(str(target)) - Decimal(str(hours))) / Decimal(str(per_week)))
    return add_days(s.today, 7 * weeks)


@rule("planning")
def hours_450_reached(s: Situation) -> date | None:
    """Planning: when the hours ground's 450 hours are reached at the current pace."""
    return hours_reached(s, p("verlenging_min_hours", s.today))


@rule("planning")
def hours_600_reached(s: Situation) -> date | None:
    """Planning: when the 600 hours needed before afschalen are reached at the current pace."""
    return hours_reached(s, p("afschalen_min_hours", s.today))


# --- warnings: one predicate per code, in the order they are shown ---------------------------

def _any_date(s: Situation) -> bool:
    return any(RULES[k].kind in ("date", "planning") and v is not None for k, v in s.values.items())


def _border_case(s: Situation) -> bool:
    start = s.input("plicht_start")
    return start is not None and BORDER_WINDOW[0] <= start <= BORDER_WINDOW[1]


def _law_conflict(s: Situation) -> bool:
    start = s.input("plicht_start")
    return s.get("law") == "wi2021" and start is not None and start < p("wi2021_start_date", start)


def _pip_before_wi2021(s: Situation) -> bool:
    pip = s.input("pip_date")
    return s.get("law") is None and pip is not None and pip < p("wi2021_start_date", pip)


def _leap_day(s: Situation) -> bool:
    pip, start, end = s.input("pip_date"), s.get("termijn_start"), s.get("termijn_end")
    if end is None:
        return False
    other = add_days(add_years(start, p("termijn_years", pip)), -1)
    return end != other or (pip.month, pip.day) == (2, 29)


def _check(s: Situation, key: str) -> dict[str, Any]:
    return s.get(key) or {}


def _applies(s: Situation, key: str) -> bool:
    """The check was made and its route allows it."""
    check = _check(s, key)
    return "eligible" in check and check.get("reason") != "route"


WARNINGS: tuple[tuple[str, Callable[[Situation], bool]], ...] = (
    ("estimate", _any_date),
    ("wi2013", lambda s: s.get("law") == "wi2013"),
    ("law_conflict", _law_conflict),
    ("law_border_case", _border_case),
    ("termijn_passed", lambda s: _check(s, "termijn_status").get("state") == "passed"),
    ("plicht_start_in_future", lambda s: s.get("law") is not None and s.input("plicht_start") > s.today),
    ("pip_before_wi2021", _pip_before_wi2021),
    ("pip_in_future", lambda s: s.get("termijn_end") is not None and s.input("pip_date") > s.today),
    ("leap_day", _leap_day),
    ("mvv_sticker", lambda s: s.get("enter_nl_by") is not None),
    ("permanent_residence_conditions", lambda s: s.get("permanent_residence_earliest") is not None),
    ("naturalisation_conditions", lambda s: s.get("naturalisation_earliest") is not None),
    ("loan_trigger", lambda s: s.get("loan_repayment_start") is not None),
    ("verlenging_conditions", lambda s: _applies(s, "verlenging_hours_ground")),
    ("verlenging_route_z", lambda s: _check(s, "verlenging_hours_ground").get("reason") == "route"),
    ("afschalen_needs_approval", lambda s: _applies(s, "afschalen")),
    ("afschalen_b1_only", lambda s: _check(s, "afschalen").get("reason") == "route"),
    ("route_z", lambda s: "eligible" in _check(s, "afschalen") and s.input("route") == "z"),
    ("planning_estimate", lambda s: any(s.get(k) is not None for k in ("hours_450_reached", "hours_600_reached"))),
)


@rule("warnings", needs=tuple(k for k in RULES))
def warning_codes(s: Situation) -> list[str]:
    """The stable codes of the result's warnings, in the order of `WARNINGS`."""
    return [code for code, applies in WARNINGS if applies(s)]


def evaluation_order() -> list[str]:
    """The rule keys so that every rule runs after the keys it needs."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(key: str, path: tuple[str, ...] = ()) -> None:
        if key in seen:
            return
        if key in path:
            raise ValueError(f"rules depend on each other in a circle: {' -> '.join(path + (key,))}")
        for needed in RULES[key].needs:
            visit(needed, path + (key,))
        seen.add(key)
        order.append(key)

    for key in RULES:
        visit(key)
    return order
