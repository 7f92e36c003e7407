"""The deadline conversation's logic, kept out of Rasa so it can be tested as plain functions.

- :func:`detect_goal` — what the person wants to know (term, extension, afschalen, mvv, ...).
- :func:`required_fields` — the contract inputs that goal needs, in the order we ask them.
- :func:`extract_from_message` — inputs already written in a free message ("PIP 12 mei 2024, 480 uur").
- :func:`read_answer` — one answer to one question: a value, "unknown", a date to confirm, or an error.
- :func:`explain` — the short reply: legal dates, planning advice, what is missing, the DUO reminder.

The rules themselves live in knowledge/deadlines (the contract); this module only talks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping

from knowledge import chatwords, dateparse, texts
from knowledge.deadlines import InvalidInput, fields, format_date, label, pace, warning_texts
from knowledge.deadlines.labels import PLANNING_KEYS, language

UNKNOWN = "unknown"
NOT_MARRIED = "none"  # the answer "no" to "when did you marry?"

GOALS: dict[str, tuple[str, ...]] = {
    "termijn": ("pip_date",),
    "verlenging": ("pip_date", "hours_bow", "exams_passed"),
    "afschalen": ("hours_bow", "hours_bow_online"),
    "tempo": ("pip_date", "hours_bow", "hours_per_week"),
    "mvv": ("mvv_decision_date",),
    # marriage and living together are asked only for naturalisation (contract version 2)
    "naturalisatie": ("residence_start", "partner_dutch", "marriage_date", "cohabitation_start"),
    "lening": ("klaar_date",),
}
DEFAULT_GOAL = "termijn"
# The kinds come from the one definition of the input fields (knowledge/deadlines/fields.py).
DATE_FIELDS = frozenset(f.name for f in fields.FIELDS if f.kind == fields.DATE)
NUMBER_FIELDS = frozenset(f.name for f in fields.FIELDS if f.kind in (fields.HOURS, fields.COUNT))
PARTNER_FIELDS = ("marriage_date", "cohabitation_start")
# Fields the chat asks itself (their questions are in the deadline catalogue, `ask.<field>`).
CATALOGUE_QUESTIONS = ("marriage_date", "cohabitation_start", "hours_per_week", "plicht_start")
# Every field the chat can fill (the bot's slots), in the order of the one field definition:
# what the goals ask, plus the version 1 relationship date a free message may hold.
# Fields a free message may hold that no goal asks for: the version 1 relationship date, and the
# start of the obligation (it decides which law applies, and a PIP with a start before 2022 is a
# `law_conflict` to explain).
EXTRACTED_ONLY = ("relationship_start", "plicht_start")
CHAT_FIELDS: tuple[str, ...] = tuple(
    name for name in fields.FIELD_NAMES
    if name in EXTRACTED_ONLY or any(name in asked for asked in GOALS.values())
)

# Checked in this order: the first goal with a matching word wins.
_GOAL_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("tempo", ("tempo", "pace", "per week", "hoe snel", "how fast", "how quickly", "wanneer heb ik 600",
               "wanneer heb ik 450", "when will i have 600", "when will i have 450", "when do i reach")),
    ("afschalen", ("afschal", "a2", "lager niveau", "lower level", "switch to a2")),
    ("verlenging", ("verleng", "extra tijd", "meer tijd", "extension", "extend", "extra time", "more time")),
    ("mvv", ("mvv", "visum", "visa", "inreizen", "enter the netherlands", "ophalen bij de ambassade")),
    ("naturalisatie", ("naturalis", "nederlander worden", "nederlandse nationaliteit", "paspoort",
                       "become dutch", "dutch citizen", "citizenship", "dutch passport")),
    ("lening", ("lening", "terugbetal", "terug betalen", "aflossen", "loan", "pay back", "repay")),
]

# Words near a date that tell which input it is.
_DATE_CONTEXT: list[tuple[str, tuple[str, ...]]] = [
    ("plicht_start", ("inburgeringsplicht", "inburgeringsplichtig", "plicht begon", "plicht begint",
                      "obligation to integrate", "integration obligation", "obligation started")),
    ("pip_date", ("pip", "plan inburgering", "plan", "intake")),
    ("mvv_decision_date", ("mvv", "besluit", "beslissing", "decision", "ind ")),
    ("marriage_date", ("getrouwd", "trouwen", "huwelijk", "married", "marriage", "wedding",
                       "partnerschap", "partnership")),
    ("cohabitation_start", ("samenwonen", "samen wonen", "wonen samen", "woon samen", "samenwonen sinds",
                            "wonen samen sinds", "woon samen sinds", "living together", "living together since",
                            "live together", "live together since", "moved in together")),
    ("relationship_start", ("relatie", "relationship", "together since", "samen sinds")),
    ("residence_start", ("woon", "wonen", "sinds", "since", "verblijf", "living in", "live in",
                         "in nederland", "in the netherlands", "aangekomen", "arrived")),
    ("klaar_date", ("klaar", "geslaagd", "diploma", "finished", "done", "completed", "passed all")),
]

_DONT_KNOW = re.compile(
    r"\b(weet (ik )?(het )?niet|geen idee|weet niet|onbekend|dont know|don't know|do not know|"
    r"no idea|not sure|niet zeker|idk)\b",
    re.IGNORECASE,
)
_STOP = re.compile(r"^\s*(stop|stoppen|annuleer|annuleren|laat maar|cancel|never ?mind|quit)\b", re.I)
# "wanneer heb ik 600 uur?": the 450/600/800 hours are a goal to reach, not the hours followed
_HOURS_TARGET = re.compile(
    r"(wanneer|hoe snel|hoe lang|when|how (fast|soon|quickly|long)|reach|bereik|haal|kom ik (aan|op))(\W+\w+){0,3}\W*$",
    re.IGNORECASE,
)
MILESTONE_HOURS = (450, 600, 800)
_HOURS = re.compile(r"(-?\s*\d{1,4})\s*(?:uur|uren|u\b|hours?|hrs?|h\b)", re.IGNORECASE)
_EXAMS = re.compile(
    r"\b(\d|een|één|twee|drie|vier|vijf|one|two|three|four|five)\s+(?:\w+\s+)?(?:examens?|exams?|toetsen)\b",
    re.IGNORECASE,
)
_YES = re.compile(r"^\s*(ja|jazeker|jawel|klopt|yes|yep|yeah|sure|correct|right)\b", re.I)
_NO = re.compile(r"^\s*(nee|neen|nope|no|niet)\b", re.I)
_PARTNER_DUTCH = re.compile(
    r"\b(is|heeft)\b.{0,25}\b(nederlands(e)?|nederlander|dutch)\b|\b(dutch|nederlandse)\s+(husband|wife|partner|man|vrouw)\b",
    re.I,
)

@dataclass(frozen=True)
class Answer:
    """The outcome of reading one answer to one question."""

    value: Any = None  # the value to store (ISO date string, number, bool or UNKNOWN)
    confirm: str | None = None  # ISO date that needs a yes/no confirmation first
    error: str | None = None  # message to show before asking again
    note: str | None = None  # message to show with an accepted value (e.g. where to find it)
    stop: bool = False


def message(key: str, lang: str | None, **params: Any) -> str:
    """A chat message from the deadline catalogue (`deadlines.chat.<key>`), Dutch when missing."""
    return texts.text(f"deadlines.chat.{key}", language(lang), **params)


def where_to_find(field: str, lang: str | None) -> str:
    return texts.text(f"deadlines.where.{field}", language(lang))


def question(field: str, lang: str | None) -> str | None:
    """The chat's own question for a field added in contract version 2 (else the domain's utter_ask)."""
    return texts.text(f"deadlines.ask.{field}", language(lang)) if field in CATALOGUE_QUESTIONS else None


def detect_goal(text: str) -> str | None:
    lowered = (text or "").lower()
    for goal, words in _GOAL_WORDS:
        if any(re.search(rf"(?<![a-z]){re.escape(w)}", lowered) for w in words):
            return goal
    return None


def required_fields(goal: str | None, known: Mapping[str, Any]) -> list[str]:
    """The inputs this goal needs, in the order we ask them (answered or not).

    Rasa's form asks the first one that is still empty; UNKNOWN ("ik weet het niet") counts as
    answered.
    """
    wanted = list(GOALS.get(goal or DEFAULT_GOAL, GOALS[DEFAULT_GOAL]))
    if goal == "naturalisatie":
        if known.get("partner_dutch") is False:
            wanted = [f for f in wanted if f not in PARTNER_FIELDS]
        elif known.get("relationship_start") not in (None, UNKNOWN):
            # "married and living together since": version 1's single date answers both
            wanted = [f for f in wanted if f not in PARTNER_FIELDS]
    if goal == "verlenging" and known.get("pip_date") == UNKNOWN:
        return ["pip_date"]  # without a PIP date there is nothing to compute
    return wanted


def missing_fields(goal: str | None, known: Mapping[str, Any]) -> list[str]:
    """The inputs still to ask for this goal, in order."""
    return [f for f in required_fields(goal, known) if known.get(f) is None]


def _assign_date(text: str, start: int, goal: str | None, taken: set[str]) -> str | None:
    before = text[max(0, start - 45) : start].lower()
    best, best_pos = None, (-1, 0)
    for field, words in _DATE_CONTEXT:
        for word in words:
            pos = before.rfind(word)
            # the word nearest the date wins; of two ending at the same place the longer
            # ("samenwonen" over "wonen")
            where = (pos + len(word), len(word)) if pos >= 0 else (-1, 0)
            if where > best_pos and field not in taken:
                best, best_pos = field, where
    if best:
        return best
    for field in GOALS.get(goal or DEFAULT_GOAL, ()):
        if field in DATE_FIELDS and field not in taken:
            return field
    return None


def extract_from_message(text: str, today: dt.date, lang: str, goal: str | None = None) -> dict[str, Any]:
    """Inputs written in a free message. Relative dates ("vorige maand") are left out: they are asked."""
    found: dict[str, Any] = {}
    taken: set[str] = set()
    for parsed in dateparse.find_dates(text, today, lang):
        if parsed.relative:
            continue
        start = text.lower().find(parsed.matched.lower())
        field = _assign_date(text, max(start, 0), goal, taken)
        if field:
            found[field] = parsed.value.isoformat()
            taken.add(field)
    for match in _HOURS.finditer(text):
        if re.match(r"\s*(per|a|in de|each)\s*(week|wk)\b|\s*/\s*w", text[match.end():], re.I):
            found.setdefault("hours_per_week", int(re.sub(r"\s", "", match.group(1))))
            continue
        number = int(re.sub(r"\s", "", match.group(1)))
        if number < 0:
            continue
        if number in MILESTONE_HOURS and _HOURS_TARGET.search(text[max(0, match.start() - 40) : match.start()]):
            continue
        after = text[match.end() : match.end() + 12].lower()
        before = text[max(0, match.start() - 12) : match.start()].lower()
        field = "hours_bow_online" if "online" in after or "online" in before else "hours_bow"
        found.setdefault(field, number)
    exams = _EXAMS.search(text)
    if exams:
        number = dateparse.parse_int(exams.group(1))
        if number is not None and 0 <= number <= 5:
            found["exams_passed"] = number
    if _PARTNER_DUTCH.search(text):
        found["partner_dutch"] = True
    return found


def read_answer(field: str, text: str, today: dt.date, lang: str, known: Mapping[str, Any]) -> Answer:
    """Read the answer to the question for ``field``."""
    text = (text or "").strip()
    if _STOP.match(text) or chatwords.is_stop(text):
        return Answer(stop=True)
    if _DONT_KNOW.search(text) or chatwords.is_dont_know(text):
        return Answer(value=UNKNOWN, note=where_to_find(field, lang))
    if field == "marriage_date" and (_NO.match(text) or chatwords.is_no(text)):
        return Answer(value=NOT_MARRIED)
    if field in DATE_FIELDS:
        parsed = dateparse.parse_date(text, today, lang)
        if parsed is None:
            found = dateparse.find_dates(text, today, lang)
            parsed = found[0] if found else None
        if parsed is None:
            return Answer(error=dateparse.explain_invalid(text, lang))
        if field == "pip_date" and parsed.value > today:
            return Answer(error=message("date_in_future", lang))
        if parsed.relative:
            return Answer(confirm=parsed.value.isoformat())
        return Answer(value=parsed.value.isoformat())
    if field == "partner_dutch":
        if _YES.match(text) or chatwords.is_yes(text) or _PARTNER_DUTCH.search(text):
            return Answer(value=True)
        if _NO.match(text) or chatwords.is_no(text):
            return Answer(value=False)
        return Answer(error=message("yes_or_no", lang))
    if field in NUMBER_FIELDS:
        if re.search(r"(^|\s)-\s*\d", text):
            return Answer(error=message("negative", lang))
        decimal = re.search(r"(?<![\d.,])(\d{1,2})[.,](\d{1,2})(?![\d.,])", text)
        number = float(f"{decimal.group(1)}.{decimal.group(2)}") if decimal else dateparse.parse_int(text)
        if number is None:
            return Answer(error=message("not_a_number", lang))
        try:
            number = fields.coerce(field, number)  # the bounds of the one field definition
        except InvalidInput as exc:
            return Answer(error=message(exc.code, lang, **exc.params))
        total = known.get("hours_bow")
        if field == "hours_bow_online" and isinstance(total, (int, float)) and number > total:
            return Answer(error=message("online_above_total", lang, total=total))
        return Answer(value=number)
    raise KeyError(field)


def read_confirmation(text: str) -> bool | None:
    """Yes or no in any of the languages (knowledge/chatwords.yml), else None."""
    if _YES.match(text or "") or chatwords.is_yes(text or ""):
        return True
    if _NO.match(text or "") or chatwords.is_no(text or ""):
        return False
    return None


def engine_inputs(known: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The contract input for knowledge.deadlines.compute from what the person told us."""
    inputs = {k: v for k, v in known.items() if v is not None and v not in (UNKNOWN, NOT_MARRIED)}
    if "partner_dutch" not in inputs:
        for name in ("relationship_start", *PARTNER_FIELDS):
            inputs.pop(name, None)
    inputs["today"] = today.isoformat()
    return inputs


# Planning advice is not law: exams need registering > 6 weeks ahead and results can take ~8 weeks
# (fact-sheet rows 4.5 and 4.8), so register at least 14 weeks before the end of the term.
EXAM_PLANNING_WEEKS = 14
# Warnings that `explain` puts first in its own plain words instead of the warning text.
EXPLAINED_FIRST = ("law_conflict", "termijn_passed")


def _t(key: str, lang: str, **params: Any) -> str:
    return texts.text(f"deadlines.{key}", lang, **params)


def _bullet(text: str, lang: str) -> str:
    return _t("bullet", lang, text=text)


def explain(result: Mapping[str, Any], lang: str | None, today: dt.date,
            inputs: Mapping[str, Any] | None = None) -> str:
    """The reply: what stands out, the legal dates, planning advice (incl. pace), what is missing."""
    lang = language(lang)
    lines: list[str] = list(status_lines(result, lang))
    if lines:
        lines.append("")
    dates = {k: v for k, v in result.get("dates", {}).items() if k not in PLANNING_KEYS}
    checks = result.get("checks", {})
    if dates:
        lines.append(_t("heading.dates", lang))
        for key in sorted(dates, key=lambda k: dates[k]):
            lines.append(_bullet(_t("line.date", lang, label=label(key, lang), date=format_date(dates[key], lang)), lang))
        verlenging = checks.get("verlenging_hours_ground", {})
        if verlenging.get("eligible") and verlenging.get("extended_end"):
            line = _t("line.date", lang, label=label("extended_end", lang),
                      date=format_date(verlenging["extended_end"], lang))
            lines.append(_bullet(line, lang))
    advice = planning_advice(result, lang, today) + pace.sentences(result, inputs or {}, lang)
    if advice:
        lines += ["", _t("heading.planning", lang)] + [_bullet(a, lang) for a in advice]
    missing = missing_items(checks, lang)
    if missing:
        lines += ["", _t("heading.missing", lang)] + [_bullet(m, lang) for m in missing]
    if not dates and not checks and not advice:
        lines.append(_t("heading.none", lang))
    codes = [c for c in result.get("warning_codes", []) if c not in EXPLAINED_FIRST]
    warnings = warning_texts({"warning_codes": codes}, lang, today)
    if warnings:
        lines += [""] + warnings
    return "\n".join(lines).strip()


def status_lines(result: Mapping[str, Any], lang: str) -> list[str]:
    """Plain words first for what needs action: a law conflict, a term that passed or ends soon."""
    lines = []
    codes = result.get("warning_codes", [])
    if "law_conflict" in codes:
        lines.append(_t("explain.law_conflict", lang))
    status = result.get("checks", {}).get("termijn_status")
    end = result.get("dates", {}).get("termijn_end")
    if status and end:
        days = status["days_left"]
        if status["state"] == "passed":
            lines.append(_t("explain.termijn_passed", lang, end=format_date(end, lang), days=-days))
        elif status["state"] == "ending_soon":
            lines.append(_t("explain.termijn_ending_soon", lang, end=format_date(end, lang), days=days))
    return lines


def planning_advice(result: Mapping[str, Any], lang: str | None, today: dt.date) -> list[str]:
    lang = language(lang)
    dates = result.get("dates", {})
    advice = []
    end = dates.get("termijn_end")
    if end:
        register_by = dt.date.fromisoformat(end) - dt.timedelta(weeks=EXAM_PLANNING_WEEKS)
        if register_by >= today:
            advice.append(_t("advice.register_exams", lang, date=format_date(register_by, lang)))
    earliest = dates.get("verlenging_earliest")
    if earliest and dt.date.fromisoformat(earliest) > today:
        advice.append(_t("advice.verlenging_from", lang, date=format_date(earliest, lang)))
    return advice


def missing_items(checks: Mapping[str, Any], lang: str | None) -> list[str]:
    lang = language(lang)
    items = []
    joiner = _t("missing.and", lang)
    verlenging = checks.get("verlenging_hours_ground")
    if verlenging and verlenging.get("reason") == "route":
        pass  # the warning says why this ground does not apply
    elif verlenging and not verlenging.get("eligible"):
        parts = []
        if verlenging.get("missing_hours"):
            parts.append(_t("missing.hours", lang, hours=pace.number(verlenging["missing_hours"], lang)))
        if verlenging.get("missing_exams"):
            exams = verlenging["missing_exams"]
            parts.append(_t("missing.exam" if exams == 1 else "missing.exams", lang, exams=exams))
        if parts:
            items.append(_t("missing.verlenging", lang, parts=joiner.join(parts)))
        else:
            items.append(_t("missing.verlenging_wait", lang))
    elif verlenging and verlenging.get("eligible"):
        items.append(_t("missing.verlenging_probably", lang))
    afschalen = checks.get("afschalen")
    if afschalen and afschalen.get("reason") == "route":
        pass
    elif afschalen and not afschalen.get("eligible"):
        parts = []
        if afschalen.get("missing_hours"):
            parts.append(_t("missing.afschalen_hours", lang, hours=pace.number(afschalen["missing_hours"], lang)))
        if afschalen.get("missing_in_class_hours"):
            hours = pace.number(afschalen["missing_in_class_hours"], lang)
            parts.append(_t("missing.afschalen_in_class", lang, hours=hours))
        items.append(_t("missing.afschalen", lang, parts=joiner.join(parts)))
    elif afschalen and afschalen.get("eligible"):
        items.append(_t("missing.afschalen_enough", lang))
    return items


# FAQ topics that explain a deadline rule in general; with the person's own date or hours in the
# message, the person wants their own dates computed instead.
RULE_TOPICS = ("termijn", "verlenging", "afschalen")


def wants_own_dates(text: str, today: dt.date) -> bool:
    """True when a message carries a concrete date of the person's own (a PIP date, a decision...)."""
    return bool(DATE_FIELDS & set(extract_from_message(text, today, "nl")))
