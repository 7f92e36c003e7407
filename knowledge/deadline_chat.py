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

from knowledge import dateparse
from knowledge.deadlines import format_date, label, warning_texts

UNKNOWN = "unknown"

GOALS: dict[str, tuple[str, ...]] = {
    "termijn": ("pip_date",),
    "verlenging": ("pip_date", "hours_bow", "exams_passed"),
    "afschalen": ("hours_bow", "hours_bow_online"),
    "mvv": ("mvv_decision_date",),
    "naturalisatie": ("residence_start", "partner_dutch", "relationship_start"),
    "lening": ("klaar_date",),
}
DEFAULT_GOAL = "termijn"
DATE_FIELDS = {
    "pip_date", "mvv_decision_date", "residence_start", "relationship_start", "klaar_date",
}
NUMBER_FIELDS = {"hours_bow", "hours_bow_online", "exams_passed"}

# Checked in this order: the first goal with a matching word wins.
_GOAL_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("afschalen", ("afschal", "a2", "lager niveau", "lower level", "switch to a2")),
    ("verlenging", ("verleng", "extra tijd", "meer tijd", "extension", "extend", "extra time", "more time")),
    ("mvv", ("mvv", "visum", "visa", "inreizen", "enter the netherlands", "ophalen bij de ambassade")),
    ("naturalisatie", ("naturalis", "nederlander worden", "nederlandse nationaliteit", "paspoort",
                       "become dutch", "dutch citizen", "citizenship", "dutch passport")),
    ("lening", ("lening", "terugbetal", "terug betalen", "aflossen", "loan", "pay back", "repay")),
]

# Words near a date that tell which input it is.
_DATE_CONTEXT: list[tuple[str, tuple[str, ...]]] = [
    ("pip_date", ("pip", "plan inburgering", "plan", "intake")),
    ("mvv_decision_date", ("mvv", "besluit", "beslissing", "decision", "ind ")),
    ("relationship_start", ("getrouwd", "trouwen", "huwelijk", "married", "marriage", "samenwonen",
                            "living together", "partnerschap", "partnership", "relatie")),
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

WHERE_TO_FIND = {
    "pip_date": {
        "nl": "U vindt de datum bovenaan uw PIP (de brief van de gemeente met uw plan). "
              "U ziet hem ook in Mijn Inburgering op inburgeren.nl: log in met DigiD.",
        "en": "You find the date at the top of your PIP (the municipality's letter with your plan). "
              "You also see it in Mijn Inburgering on inburgeren.nl: log in with DigiD.",
    },
    "hours_bow": {
        "nl": "Uw school weet hoeveel uur u les had. U ziet het ook in Mijn Inburgering (DigiD).",
        "en": "Your school knows how many hours you followed. Mijn Inburgering (DigiD) shows it too.",
    },
    "hours_bow_online": {
        "nl": "Vraag uw school hoeveel van uw uren online waren.",
        "en": "Ask your school how many of your hours were online.",
    },
    "exams_passed": {
        "nl": "In Mijn Inburgering (DigiD) ziet u welke examens u heeft gehaald.",
        "en": "Mijn Inburgering (DigiD) shows which exams you passed.",
    },
    "mvv_decision_date": {
        "nl": "De datum staat op de brief van de IND over uw mvv.",
        "en": "The date is on the IND letter about your mvv.",
    },
    "residence_start": {
        "nl": "Dit is meestal de ingangsdatum op uw verblijfspas.",
        "en": "This is usually the start date on your residence card.",
    },
    "relationship_start": {
        "nl": "Dit is de datum van uw huwelijk of partnerschap, of de start van samenwonen.",
        "en": "This is the date of your marriage or partnership, or when you started living together.",
    },
    "partner_dutch": {"nl": "Vraag het uw partner.", "en": "Ask your partner."},
    "klaar_date": {
        "nl": "In Mijn Inburgering (DigiD) ziet u wanneer u klaar was.",
        "en": "Mijn Inburgering (DigiD) shows when you finished.",
    },
}

MESSAGES = {
    "not_a_number": {
        "nl": "Dat is geen getal. Typ alleen het aantal, bijvoorbeeld 450.",
        "en": "That is not a number. Type just the number, for example 450.",
    },
    "negative": {
        "nl": "Het aantal kan niet lager zijn dan 0. Typ een getal, bijvoorbeeld 450.",
        "en": "The number cannot be below 0. Type a number, for example 450.",
    },
    "online_above_total": {
        "nl": "U heeft meer uren online genoemd dan uren in totaal ({total}). Typ het aantal online uren opnieuw.",
        "en": "You gave more online hours than hours in total ({total}). Please type the online hours again.",
    },
    "exams_range": {
        "nl": "Er zijn 5 examens. Typ een getal van 0 tot en met 5.",
        "en": "There are 5 exams. Type a number from 0 to 5.",
    },
    "date_in_future": {
        "nl": "Die datum ligt in de toekomst. De datum op uw PIP ligt altijd in het verleden. "
              "Typ de datum opnieuw, bijvoorbeeld 12-05-2024.",
        "en": "That date is in the future. The date on your PIP is always in the past. "
              "Type the date again, for example 12-05-2024.",
    },
    "confirm_date": {
        "nl": "Bedoelt u {date}? Antwoord met ja of nee.",
        "en": "Do you mean {date}? Answer yes or no.",
    },
    "retype_date": {
        "nl": "Typ de datum dan zo: dag-maand-jaar, bijvoorbeeld 12-05-2024.",
        "en": "Then please type the date as day-month-year, for example 12-05-2024.",
    },
    "yes_or_no": {"nl": "Antwoord met ja of nee.", "en": "Please answer yes or no."},
}


@dataclass(frozen=True)
class Answer:
    """The outcome of reading one answer to one question."""

    value: Any = None  # the value to store (ISO date string, number, bool or UNKNOWN)
    confirm: str | None = None  # ISO date that needs a yes/no confirmation first
    error: str | None = None  # message to show before asking again
    note: str | None = None  # message to show with an accepted value (e.g. where to find it)
    stop: bool = False


def message(key: str, lang: str, **params: Any) -> str:
    return MESSAGES[key]["en" if lang == "en" else "nl"].format(**params)


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
    fields = list(GOALS.get(goal or DEFAULT_GOAL, GOALS[DEFAULT_GOAL]))
    if goal == "naturalisatie" and known.get("partner_dutch") is False:
        fields.remove("relationship_start")
    if goal == "verlenging" and known.get("pip_date") == UNKNOWN:
        return ["pip_date"]  # without a PIP date there is nothing to compute
    return fields


def missing_fields(goal: str | None, known: Mapping[str, Any]) -> list[str]:
    """The inputs still to ask for this goal, in order."""
    return [f for f in required_fields(goal, known) if known.get(f) is None]


def _assign_date(text: str, start: int, goal: str | None, taken: set[str]) -> str | None:
    before = text[max(0, start - 45) : start].lower()
    best, best_pos = None, -1
    for field, words in _DATE_CONTEXT:
        for word in words:
            pos = before.rfind(word)
            if pos > best_pos and field not in taken:
                best, best_pos = field, pos
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
        number = int(re.sub(r"\s", "", match.group(1)))
        if number < 0:
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
    if _STOP.match(text):
        return Answer(stop=True)
    if _DONT_KNOW.search(text):
        return Answer(value=UNKNOWN, note=WHERE_TO_FIND[field]["en" if lang == "en" else "nl"])
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
        if _YES.match(text) or _PARTNER_DUTCH.search(text):
            return Answer(value=True)
        if _NO.match(text):
            return Answer(value=False)
        return Answer(error=message("yes_or_no", lang))
    if field in NUMBER_FIELDS:
        if re.search(r"(^|\s)-\s*\d", text):
            return Answer(error=message("negative", lang))
        number = dateparse.parse_int(text)
        if number is None:
            return Answer(error=message("not_a_number", lang))
        if field == "exams_passed" and not 0 <= number <= 5:
            return Answer(error=message("exams_range", lang))
        total = known.get("hours_bow")
        if field == "hours_bow_online" and isinstance(total, (int, float)) and number > total:
            return Answer(error=message("online_above_total", lang, total=total))
        return Answer(value=number)
    raise KeyError(field)


def read_confirmation(text: str) -> bool | None:
    if _YES.match(text or ""):
        return True
    if _NO.match(text or ""):
        return False
    return None


def engine_inputs(known: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The contract input for knowledge.deadlines.compute from what the person told us."""
    inputs = {k: v for k, v in known.items() if v is not None and v != UNKNOWN}
    if "partner_dutch" not in inputs:
        inputs.pop("relationship_start", None)
    inputs["today"] = today.isoformat()
    return inputs


# Planning advice is not law: exams need registering > 6 weeks ahead and results can take ~8 weeks
# (fact-sheet rows 4.5 and 4.8), so register at least 14 weeks before the end of the term.
EXAM_PLANNING_WEEKS = 14
_HEADINGS = {
    "dates": {"nl": "Uw data (schatting):", "en": "Your dates (estimate):"},
    "planning": {"nl": "Planning (advies):", "en": "Planning (advice):"},
    "missing": {"nl": "Wat nog ontbreekt:", "en": "What is still missing:"},
    "none": {
        "nl": "Met deze gegevens kan ik nog geen data uitrekenen.",
        "en": "With this information I cannot calculate any dates yet.",
    },
}


def _bullet(text: str) -> str:
    return f"• {text}"


def explain(result: Mapping[str, Any], lang: str, today: dt.date) -> str:
    lang = "en" if lang == "en" else "nl"
    lines: list[str] = []
    dates = result.get("dates", {})
    checks = result.get("checks", {})
    if dates:
        lines.append(_HEADINGS["dates"][lang])
        order = sorted(dates, key=lambda k: dates[k])
        lines += [_bullet(f"{label(k, lang)}: {format_date(dates[k], lang)}") for k in order]
        verlenging = checks.get("verlenging_hours_ground", {})
        if verlenging.get("eligible") and verlenging.get("extended_end"):
            lines.append(_bullet(f"{label('extended_end', lang)}: {format_date(verlenging['extended_end'], lang)}"))
    advice = planning_advice(result, lang, today)
    if advice:
        lines += ["", _HEADINGS["planning"][lang]] + [_bullet(a) for a in advice]
    missing = missing_items(checks, lang)
    if missing:
        lines += ["", _HEADINGS["missing"][lang]] + [_bullet(m) for m in missing]
    if not dates and not checks:
        lines.append(_HEADINGS["none"][lang])
    warnings = warning_texts(result, lang, today)
    if warnings:
        lines += [""] + warnings
    return "\n".join(lines).strip()


def planning_advice(result: Mapping[str, Any], lang: str, today: dt.date) -> list[str]:
    dates = result.get("dates", {})
    advice = []
    end = dates.get("termijn_end")
    if end:
        register_by = dt.date.fromisoformat(end) - dt.timedelta(weeks=EXAM_PLANNING_WEEKS)
        if register_by >= today:
            advice.append(
                f"Meld u vóór {format_date(register_by, 'nl')} aan voor uw laatste examens. "
                "Dan heeft u de uitslag op tijd."
                if lang == "nl"
                else f"Register for your last exams before {format_date(register_by, 'en')}, "
                "so that you have the results in time."
            )
    earliest = dates.get("verlenging_earliest")
    if earliest and dt.date.fromisoformat(earliest) > today:
        advice.append(
            f"Extra tijd (verlenging) kan pas vanaf {format_date(earliest, 'nl')}."
            if lang == "nl"
            else f"Extra time (verlenging) is possible from {format_date(earliest, 'en')} at the earliest."
        )
    return advice


def missing_items(checks: Mapping[str, Any], lang: str) -> list[str]:
    items = []
    verlenging = checks.get("verlenging_hours_ground")
    if verlenging and not verlenging.get("eligible"):
        parts = []
        if verlenging.get("missing_hours"):
            h = verlenging["missing_hours"]
            parts.append(f"nog {h} uur les bij een Blik op Werk-school" if lang == "nl"
                         else f"{h} more hours at a Blik op Werk school")
        if verlenging.get("missing_exams"):
            e = verlenging["missing_exams"]
            parts.append(f"nog {e} {'examen' if e == 1 else 'examens'} halen" if lang == "nl"
                         else f"pass {e} more {'exam' if e == 1 else 'exams'}")
        if parts:
            joined = " en ".join(parts) if lang == "nl" else " and ".join(parts)
            items.append(f"Voor verlenging: {joined}." if lang == "nl" else f"For an extension: {joined}.")
        else:
            items.append("Voor verlenging: wacht tot de datum waarop het kan." if lang == "nl"
                         else "For an extension: wait until the date it becomes possible.")
    elif verlenging and verlenging.get("eligible"):
        items.append("U voldoet aan de uren en examens voor verlenging. DUO geeft die automatisch."
                     if lang == "nl" else "You meet the hours and exams for an extension. DUO gives it automatically.")
    afschalen = checks.get("afschalen")
    if afschalen and not afschalen.get("eligible"):
        parts = []
        if afschalen.get("missing_hours"):
            h = afschalen["missing_hours"]
            parts.append(f"nog {h} uur les" if lang == "nl" else f"{h} more hours")
        if afschalen.get("missing_in_class_hours"):
            h = afschalen["missing_in_class_hours"]
            parts.append(f"nog {h} uur les in de klas (niet online)" if lang == "nl"
                         else f"{h} more hours in class (not online)")
        joined = (" en " if lang == "nl" else " and ").join(parts)
        items.append(f"Om over te stappen naar A2 (afschalen): {joined} bij een Blik op Werk-school."
                     if lang == "nl" else f"To switch to A2 exams (afschalen): {joined} at a Blik op Werk school.")
    elif afschalen and afschalen.get("eligible"):
        items.append("U heeft genoeg uren om naar A2 over te stappen. Vraag het uw regievoerder."
                     if lang == "nl" else "You have enough hours to switch to A2 exams. Ask your regievoerder.")
    return items


# FAQ topics that explain a deadline rule in general; with the person's own date or hours in the
# message, the person wants their own dates computed instead.
RULE_TOPICS = ("termijn", "verlenging", "afschalen")


def wants_own_dates(text: str, today: dt.date) -> bool:
    """True when a message carries a concrete date of the person's own (a PIP date, a decision...)."""
    return bool(DATE_FIELDS & set(extract_from_message(text, today, "nl")))
