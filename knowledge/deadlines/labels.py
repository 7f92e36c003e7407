"""The words around deadline results, from the text catalogue (knowledge/i18n/<lang>/messages/deadlines.yaml).

Shared by the chat, the PNG timeline and the .ics. Every function accepts any language code and
falls back to Dutch (`knowledge.texts`). Keys: `label.<key>` (a date, check or extra key),
`field.<name>` (an input field), `warning.<code>`, `month.<1-12>`, `date_format`.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping

from knowledge import texts

from .fields import field_label

__all__ = [
    "CHECK_KEYS",
    "DATE_KEYS",
    "MONTHS",
    "PLANNING_KEYS",
    "field_label",
    "format_date",
    "label",
    "language",
    "month_name",
    "ordered",
    "warning_text",
]

# Legal date keys in the order they happen in a typical gezinsmigrant's journey.
DATE_KEYS = (
    "mvv_collect_by",
    "enter_nl_by",
    "health_insurance_by",
    "termijn_start",
    "verlenging_earliest",
    "duo_warning_letter",
    "termijn_end",
    "loan_repayment_start",
    "permanent_residence_earliest",
    "naturalisation_earliest",
)
# Planning estimates (not law): shown apart from the legal dates.
PLANNING_KEYS = ("hours_450_reached", "hours_600_reached")
CHECK_KEYS = ("termijn_status", "verlenging_hours_ground", "afschalen")
_ORDER = {key: i for i, key in enumerate(DATE_KEYS + PLANNING_KEYS + CHECK_KEYS)}


def _t(key: str, lang: str | None, **params: Any) -> str:
    return texts.text(f"deadlines.{key}", lang, **params)


class _Months(Mapping[str, tuple[str, ...]]):
    """MONTHS["nl"] -> the twelve month names, read from the catalogue (Dutch fallback)."""

    def __getitem__(self, lang: str) -> tuple[str, ...]:
        return tuple(month_name(m, lang) for m in range(1, 13))

    def __iter__(self):  # noqa: ANN204
        from knowledge import languages

        return iter(languages.CODES)

    def __len__(self) -> int:
        from knowledge import languages

        return len(languages.CODES)


MONTHS = _Months()


def language(lang: str | None) -> str:
    """The language deadline sentences are written in for `lang`: itself when its catalogue has
    them, else Dutch (so that a sentence and the dates in it are in one language)."""
    from knowledge import languages

    return languages.supported(lang) if lang and texts.has("deadlines.heading.dates", lang) else languages.SOURCE


def month_name(month: int, lang: str | None) -> str:
    return _t(f"month.{month}", lang)


def format_date(d: date | str, lang: str | None) -> str:
    """`date(2027, 5, 12)` -> "12 mei 2027" (nl) / "12 May 2027" (en)."""
    if isinstance(d, str):
        d = date.fromisoformat(d)
    return _t("date_format", lang, day=d.day, month=month_name(d.month, lang), year=d.year)


def label(key: str, lang: str | None) -> str:
    """Label of a date/check key or of an extra key such as `extended_end`."""
    return _t(f"label.{key}", lang)


def warning_text(code: str, lang: str | None, params: Mapping[str, Any] | None = None) -> str:
    return _t(f"warning.{code}", lang, **(params or {}))


def ordered(values: Mapping[str, Any], kinds: Iterable[str]) -> list[str]:
    """The keys of `values` whose rule kind is in `kinds`, in presentation order."""
    from .rules import RULES

    wanted = set(kinds)
    keys = [k for k in values if k in RULES and RULES[k].kind in wanted]
    return sorted(keys, key=lambda k: _ORDER.get(k, len(_ORDER)))
