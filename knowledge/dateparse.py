"""Dates and small numbers as people write them in chat, in Dutch and English.

    parse_date("12 mei 2024", today, "nl")  -> ParsedDate(value=date(2024, 5, 12), relative=False, ...)
    find_dates("mijn pip is van 12 mei 2024 en ik heb 300 uur", today, "nl")
    parse_int("twee") -> 2

The heavy lifting is done by `dateparser`, always day-first (12-5-24 is 12 May 2024). A small
pre-normaliser handles what dateparser gets wrong or does not know: ISO dates (some versions
read 2024-05-12 day-first), ordinals ("12e", "12th"), "vorig jaar"/"last year" and misspelled
month names. `relative` is True when the date depends on today ("gisteren", "vorige maand",
"12 mei" without a year): the chat must ask the user to confirm it.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import dateparser

__all__ = ["ParsedDate", "explain_invalid", "find_dates", "parse_date", "parse_int"]


@dataclass(frozen=True)
class ParsedDate:
    value: date
    relative: bool
    matched: str


MONTH_NAMES = {
    1: ("januari", "january", "jan"),
    2: ("februari", "february", "feb", "febr"),
    3: ("maart", "march", "mrt", "mar", "maa"),
    4: ("april", "apr"),
    5: ("mei", "may"),
    6: ("juni", "june", "jun"),
    7: ("juli", "july", "jul"),
    8: ("augustus", "august", "aug"),
    9: ("september", "sep", "sept"),
    10: ("oktober", "october", "okt", "oct"),
    11: ("november", "nov"),
    12: ("december", "dec"),
}
_MONTH_LOOKUP = {name: number for number, names in MONTH_NAMES.items() for name in names}
_FULL_MONTHS = [name for names in MONTH_NAMES.values() for name in names if len(name) >= 5]

# Words that make a date depend on today.
_RELATIVE_WORDS = (
    "gisteren", "eergisteren", "vandaag", "morgen", "overmorgen", "vorige", "vorig", "afgelopen",
    "geleden", "volgende", "komende", "dit jaar", "deze maand", "deze week",
    "yesterday", "today", "tomorrow", "last", "ago", "next", "this year", "this month", "this week",
)
_WEEKDAYS = (
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
_UNITS = r"(?:dag|dagen|week|weken|maand|maanden|jaar|jaren|day|days|week|weeks|month|months|year|years)"
_NUMBER_WORD = r"(?:\d{1,3}|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})\b")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|e|ste|de)\b", re.IGNORECASE)
_WORD = r"[a-zA-Zéë]{3,10}\.?"
_YEAR = r"(?:\d{4}|'\d{2})"
_REL_YEAR = r"(?:vorig jaar|dit jaar|volgend jaar|last year|this year|next year)"
_CANDIDATES = [
    _ISO,
    _NUMERIC,
    # 12 mei 2024 / 12th of May 2024 / 3 maart vorig jaar / 12 mei
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th|e|ste|de)?\s+(?:of\s+)?{_WORD}(?:,?\s+(?:{_YEAR}|{_REL_YEAR}))?", re.I),
    # May 12th 2024 / May 12, 2024
    re.compile(rf"\b{_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?\b", re.I),
    re.compile(rf"\b{_NUMBER_WORD}\s+{_UNITS}\s+(?:geleden|ago)\b", re.I),
    re.compile(r"\b(?:vorige|afgelopen|deze|last|this)\s+(?:week|maand|month)\b", re.I),
    re.compile(r"\b(?:eergisteren|gisteren|vandaag|yesterday|today)\b", re.I),
]


def _settings(today: date, require: list[str]) -> dict:
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "REQUIRE_PARTS": require,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }


def _languages(lang: str) -> list[str]:
    return ["nl", "en"] if lang != "en" else ["en", "nl"]


def _fix_month_word(word: str) -> str:
    """A misspelled month name ("setpember", "febuari") becomes the nearest real one."""
    key = word.lower().rstrip(".")
    if key in _MONTH_LOOKUP or len(key) < 4:
        return word
    close = difflib.get_close_matches(key, _FULL_MONTHS, n=1, cutoff=0.75)
    return close[0] if close else word


def _normalise(text: str, today: date) -> str:
    text = text.strip().strip(".,;:!?").strip()
    text = _ORDINAL.sub(r"\1", text)
    text = _NUMERIC.sub(lambda m: _expand_year(m, today), text)
    text = re.sub(r"'(\d{2})\b", lambda m: _full_year(m.group(1), today), text)
    text = re.sub(r"(\d)\s+of\s+", r"\1 ", text, flags=re.I)  # "12th of May"
    text = re.sub(r"\b(?:vorig jaar|last year)\b", str(today.year - 1), text, flags=re.I)
    text = re.sub(r"\b(?:dit jaar|this year)\b", str(today.year), text, flags=re.I)
    text = re.sub(r"\b(?:volgend jaar|next year)\b", str(today.year + 1), text, flags=re.I)
    return re.sub(r"[A-Za-zéë]+", lambda m: _fix_month_word(m.group(0)), text)


def _expand_year(match: re.Match, today: date) -> str:
    """12-5-24 -> 12-5-2024: a two-digit year is the nearest one up to 30 years ahead."""
    day, month, year = match.groups()
    return f"{day}-{month}-{_full_year(year, today) if len(year) == 2 else year}"


def _full_year(two_digits: str, today: date) -> str:
    full = 2000 + int(two_digits)
    return str(full if full <= today.year + 30 else full - 100)


def _is_relative(text: str) -> bool:
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in _RELATIVE_WORDS + _WEEKDAYS)


def _has_month_word(text: str) -> bool:
    return any(word.lower().rstrip(".") in _MONTH_LOOKUP for word in re.findall(r"[A-Za-zéë]+\.?", text))


# dateparser takes ~2 ms per call; the engine reads the same message twice (the NLU component that
# spots a person's own date, then the deadline action), and the result depends only on the arguments
@lru_cache(maxsize=1024)
def _parse_whole(text: str, today: date, lang: str) -> tuple[date, bool] | None:
    """Parse `text` as one date. Returns (date, relative) or None (remembered per text, day, language)."""
    original = text
    text = _normalise(text, today)
    if not text:
        return None
    iso = _ISO.fullmatch(text)
    if iso:
        try:
            return date(*map(int, iso.groups())), False
        except ValueError:
            return None
    numeric = _NUMERIC.fullmatch(text)
    if numeric and not _valid_numeric(*numeric.groups()):
        return None  # 30-02-2025: never let a parser "repair" an impossible date
    relative = _is_relative(original)
    if relative:
        if not (_has_month_word(text) or _NUMERIC.search(text) or re.search(
                r"gisteren|vandaag|yesterday|today|geleden|ago|vorige|afgelopen|last|maand|month|week"
                r"|" + "|".join(_WEEKDAYS), text, re.I)):
            return None
        parsed = dateparser.parse(text, languages=_languages(lang), settings=_settings(today, []))
        return (parsed.date(), True) if parsed else None
    if not (_has_month_word(text) or numeric):
        return None
    parsed = dateparser.parse(text, languages=_languages(lang), settings=_settings(today, ["day", "month", "year"]))
    if parsed:
        # A year written in the text (or replaced from "vorig jaar") makes it absolute.
        written_year = re.search(r"\d{4}|'\d{2}", text)
        return parsed.date(), bool(re.search(r"vorig jaar|dit jaar|last year|this year|volgend jaar|next year",
                                             original, re.I)) or not written_year
    parsed = dateparser.parse(text, languages=_languages(lang), settings=_settings(today, ["day", "month"]))
    return (parsed.date(), True) if parsed else None  # no year written: today decides it


def _valid_numeric(day: str, month: str, year: str) -> bool:
    full_year = int(year) if len(year) == 4 else 2000 + int(year)  # same leap years as 19xx except 1900
    try:
        date(full_year, int(month), int(day))
    except ValueError:
        return False
    return True


def parse_date(text: str, today: date, lang: str) -> ParsedDate | None:
    """One date from a short answer ("12 mei 2024", "12-5-24", "gisteren"), or None.

    If the whole text is not a date, the first date found inside it is returned.
    """
    if not text or not text.strip():
        return None
    whole = _parse_whole(text, today, lang)
    if whole:
        return ParsedDate(value=whole[0], relative=whole[1], matched=text.strip())
    found = find_dates(text, today, lang)
    return found[0] if found else None


def find_dates(text: str, today: date, lang: str) -> list[ParsedDate]:
    """All dates in a longer message, in the order they appear."""
    spans: list[tuple[int, int]] = []
    for pattern in _CANDIDATES:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in spans):
                continue  # overlaps an earlier, more specific match
            spans.append((start, end))
    results: list[tuple[int, ParsedDate]] = []
    for start, end in spans:
        chunk = text[start:end].strip()
        parsed = _parse_whole(chunk, today, lang)
        if parsed is None and " " in chunk:
            # "12 mei en" style over-matches: drop the last word and try again.
            shorter = chunk.rsplit(" ", 1)[0].rstrip(",")
            parsed = _parse_whole(shorter, today, lang)
            chunk = shorter if parsed else chunk
        if parsed is not None:
            results.append((start, ParsedDate(value=parsed[0], relative=parsed[1], matched=chunk)))
    return [parsed for _, parsed in sorted(results, key=lambda item: item[0])]


_NUMBER_WORDS = {
    "nul": 0, "zero": 0, "geen": 0, "none": 0,
    "een": 1, "één": 1, "eén": 1, "one": 1,
    "twee": 2, "two": 2, "drie": 3, "three": 3, "vier": 4, "four": 4, "vijf": 5, "five": 5,
    "zes": 6, "six": 6, "zeven": 7, "seven": 7, "acht": 8, "eight": 8, "negen": 9, "nine": 9,
    "tien": 10, "ten": 10, "elf": 11, "eleven": 11, "twaalf": 12, "twelve": 12,
    "honderd": 100, "hundred": 100, "duizend": 1000, "thousand": 1000,
}


def parse_int(text: str) -> int | None:
    """The first whole number in `text`: digits ("450", "1.200") or a simple word ("twee", "two")."""
    if not text:
        return None
    match = re.search(r"\d{1,3}(?:[.,]\d{3})+(?![.,]?\d)|\d+", text)
    if match:
        return int(re.sub(r"[.,]", "", match.group(0)))
    for word in re.findall(r"[a-zA-Zéë]+", text.lower()):
        if word in _NUMBER_WORDS:
            return _NUMBER_WORDS[word]
    return None


def explain_invalid(text: str, lang: str) -> str:
    """A short re-ask for a date we could not read, with an example."""
    numeric = _NUMERIC.search(text or "")
    if numeric and 1 <= int(numeric.group(2)) <= 12 and not _valid_numeric(*numeric.groups()):
        month = int(numeric.group(2))
        if lang == "nl":
            name = MONTH_NAMES[month][0]
            return (f"Die datum bestaat niet: {name} heeft geen {int(numeric.group(1))} dagen. "
                    "Schrijf de datum als dag-maand-jaar, bijvoorbeeld 12-05-2024 of 12 mei 2024.")
        name = MONTH_NAMES[month][1].capitalize()
        return (f"That date does not exist: {name} has no day {int(numeric.group(1))}. "
                "Write the date as day-month-year, for example 12-05-2024 or 12 May 2024.")
    if lang == "nl":
        return "Ik begrijp deze datum niet. Schrijf de datum als dag-maand-jaar, bijvoorbeeld 12-05-2024 of 12 mei 2024."
    return "I do not understand this date. Write it as day-month-year, for example 12-05-2024 or 12 May 2024."
