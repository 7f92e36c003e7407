"""Read rules.yaml: rule metadata (function, facts, legal basis) and parameters keyed by `valid_from`."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

RULES_PATH = Path(__file__).with_name("rules.yaml")
CASES_PATH = Path(__file__).with_name("cases.yaml")


@lru_cache(maxsize=1)
def load_rules() -> dict[str, dict[str, Any]]:
    with RULES_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)["rules"]


@lru_cache(maxsize=1)
def _parameters() -> dict[str, list[tuple[date, Any]]]:
    """All parameters by name, each as a list of (valid_from, value) sorted by date."""
    found: dict[str, list[tuple[date, Any]]] = {}
    for rule_id, rule in load_rules().items():
        for name, spec in (rule.get("parameters") or {}).items():
            if name in found:
                raise ValueError(f"parameter {name!r} is defined twice (again in {rule_id!r})")
            values = []
            for valid_from, entry in spec["values"].items():
                value = entry["value"]
                if spec.get("unit") == "date":
                    value = date.fromisoformat(value)
                values.append((date.fromisoformat(str(valid_from)), value))
            found[name] = sorted(values, key=lambda item: item[0])
    return found


def parameter(name: str, on: date) -> Any:
    """The value of a parameter on date `on`.

    Before the first `valid_from` the first value is used (the rule did not exist yet, but
    callers still get a sensible estimate; the law check adds the warning).
    """
    values = _parameters()[name]
    chosen = values[0][1]
    for valid_from, value in values:
        if valid_from <= on:
            chosen = value
    return chosen


def facts(key: str) -> list[str]:
    return list(load_rules()[key].get("facts") or [])


def function_path(key: str) -> str:
    """The dotted path of the Python function rules.yaml names for this key."""
    return load_rules()[key]["function"]


def legal_basis(key: str) -> list[dict[str, Any]]:
    return list(load_rules()[key].get("legal_basis") or [])
