"""Dates and small numbers as people write them in chat, in every language Wegwijs speaks
(knowledge/languages.yml: nl, en, tr, ar, pt).

    parse_date("12 mei 2024", today, "nl")  -> ParsedDate(value=date(2024, 5, 12), relative=False, ...)
    parse_date("12 Mayıs'ta", today, "tr"), parse_date("١٢ مايو ٢٠٢٤", today, "ar"),
    parse_date("dia 12 de maio", today, "pt")
    find_dates("mijn pip is van 12 mei 2024 en ik heb 300 uur", today, "nl")
    parse_int("twee") -> 2, parse_int("iki") -> 2, parse_int("اثنين") -> 2

Always day-first (12-5-24 is 12 May 2024). A pre-normaliser first rewrites what people type into
one plain form: Arabic-Indic and Persian digits as 0-9, month names of every language and dialect
(Maghreb ماي/غشت, Levantine أيار/تشرين الأول, Turkish mayis/Mayıs'ta, Portuguese "12 de maio de")
as English month names, misspelled month names as the nearest real one, ordinals ("12e", "12th",
"1º"), "vorig jaar"/"geçen yıl"/"السنة الماضية"/"ano passado" as a year. Plain day-month-year
forms are then read directly; everything else (relative words: "gisteren", "dün", "أمس", "ontem",
"2 weken geleden", "Month 12, 2024") goes to `dateparser` with the conversation's language first
(languages=[lang, "en"]). `relative` is True when the date depends on today ("gisteren", "vorige
maand", "12 mei" without a year): the chat must ask the user to confirm it.

A language Wegwijs does not speak is read as Dutch.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

import dateparser

from knowledge import languages, texts
from knowledge.chatwords import DIGITS, fold, number_word

__all__ = ["ParsedDate", "explain_invalid", "find_dates", "parse_date", "parse_int"]


@dataclass(frozen=True)
class ParsedDate:
    value: date
    relative: bool
    matched: str


ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")

# Month names per language, as people write them: "name|variant|..." for January..December. Full
# names are recognised in every language (a Turkish message may say "12 mei 2024"); the
# abbreviations of tr and pt only in their own language ("ago", "set", "out", "ara" are words elsewhere).
MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "en": ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"),
    "tr": ("ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos", "eylül", "ekim",
           "kasım", "aralık"),
    # Egyptian/MSA | Levantine | Maghreb (Morocco; Algeria/Tunisia)
    "ar": ("يناير|كانون الثاني|كانون ثاني|جانفي|ينار",
           "فبراير|شباط|فيفري|فبرير",
           "مارس|آذار|مارص",
           "أبريل|ابريل|إبريل|نيسان|أفريل",
           "مايو|أيار|ماي|مايس",
           "يونيو|يونيه|حزيران|جوان",
           "يوليو|يوليه|تموز|يوليوز|جويلية",
           "أغسطس|آب|غشت|أوت",
           "سبتمبر|أيلول|شتنبر",
           "أكتوبر|تشرين الأول|تشرين أول",
           "نوفمبر|تشرين الثاني|تشرين ثاني|نونبر",
           "ديسمبر|كانون الأول|كانون أول|دجنبر"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
           "outubro", "novembro", "dezembro"),
}
MONTH_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    # nl and en abbreviations are read in every language (as before five languages)
    "nl": ("jan", "feb|febr", "mrt|maa", "apr", "", "jun", "jul", "aug", "sep|sept", "okt", "nov", "dec"),
    "en": ("jan", "feb", "mar", "apr", "", "jun", "jul", "aug", "sep|sept", "oct", "nov", "dec"),
    "tr": ("oca", "şub", "", "nis", "", "haz", "tem", "ağu", "eyl", "eki", "kas", "ara"),
    "pt": ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
}
_SHARED_ABBREVIATIONS = ("nl", "en")
# Turkish case endings on a month name without an apostrophe: "mayısta", "şubatın", "ekimde".
_TR_SUFFIXES = ("nda", "nde", "inda", "inde", "unda", "unde", "ta", "te", "da", "de", "in", "un", "a", "e", "i", "u")

# "vorig jaar", "geçen yıl", "السنة الماضية", "ano passado" -> the year (offset from this year).
_RELATIVE_YEARS: dict[str, int] = {
    "vorig jaar": -1, "afgelopen jaar": -1, "dit jaar": 0, "volgend jaar": 1,
    "last year": -1, "this year": 0, "next year": 1,
    "geçen yıl": -1, "geçen yılın": -1, "geçen sene": -1, "geçen senenin": -1, "bu yıl": 0, "bu yılın": 0,
    "bu sene": 0, "gelecek yıl": 1, "gelecek sene": 1, "seneye": 1, "önümüzdeki yıl": 1,
    "السنة الماضية": -1, "العام الماضي": -1, "السنة اللي فاتت": -1, "العام اللي فات": -1, "العام الفائت": -1,
    "السنة الفائتة": -1, "هذه السنة": 0, "هذا العام": 0, "السنة دي": 0, "هاد العام": 0, "العام ده": 0,
    "السنة القادمة": 1, "العام القادم": 1, "السنة الجاية": 1, "العام الجاي": 1,
    "ano passado": -1, "do ano passado": -1, "no ano passado": -1, "este ano": 0, "esse ano": 0,
    "deste ano": 0, "desse ano": 0, "ano que vem": 1, "do ano que vem": 1, "próximo ano": 1,
}
# Words dateparser does not know (spelled without accents, dialect) -> words it knows.
_REWRITES: dict[str, str] = {
    "dun": "dün", "bugun": "bugün", "yarin": "yarın", "evvelsi gun": "2 gün önce", "onceki gun": "2 gün önce",
    "امبارح": "أمس", "مبارح": "أمس", "البارح": "أمس", "البارحة": "أمس", "بالأمس": "أمس",
    "أول أمس": "2 days ago", "أول امبارح": "2 days ago", "أول البارح": "2 days ago",
    "الشهر اللي فات": "الشهر الماضي", "الشهر الفائت": "الشهر الماضي",
    "الأسبوع اللي فات": "الأسبوع الماضي", "الأسبوع الفائت": "الأسبوع الماضي",
    "منذ": "<ago>", "قبل": "<ago>",
    "mes passado": "mês passado", "ha": "há", "atras": "atrás", "amanha": "amanhã", "anteontem": "anteontem",
}
# after منذ/قبل ("3 أسابيع"): dateparser's Arabic misses some plurals, so these become English
_AGO_UNITS = {"يوم": "days", "أيام": "days", "يومين": "2 days", "أسبوع": "weeks", "أسابيع": "weeks",
              "أسبوعين": "2 weeks", "شهر": "months", "أشهر": "months", "شهور": "months", "شهرين": "2 months"}
_REWRITE_LANGS = {"dun": "tr", "bugun": "tr", "yarin": "tr", "ha": "pt", "atras": "pt", "amanha": "pt"}

# Words that make a date depend on today (any language), and the ones that also say which day
# without a month or a number ("gisteren", "2 weken geleden"; "vorig jaar" alone is no date).
_RELATIVE = {
    "nl": "gisteren eergisteren vandaag morgen overmorgen vorige vorig afgelopen geleden volgende komende "
          "|dit jaar|deze maand|deze week",
    "en": "yesterday today tomorrow last ago next|this year|this month|this week",
    "tr": "dün bugün yarın evvelsi önceki geçen önce gelecek önümüzdeki seneye|bu yıl|bu ay|bu hafta|bu sene",
    "ar": "أمس امبارح مبارح البارح البارحة بالأمس اليوم غدا بكرة بكرا الماضي الماضية فات فاتت الفائت الفائتة "
          "قبل منذ القادم القادمة الجاي الجاية|هذا الشهر|هذا الأسبوع|هذه السنة|هذا العام",
    "pt": "ontem anteontem hoje amanhã passado passada há atrás próximo próxima|que vem|este ano|este mês"
          "|esta semana|esse ano",
}
_ANCHORS = {
    "nl": "gisteren eergisteren vandaag morgen geleden vorige afgelopen maand maanden week weken dag dagen",
    "en": "yesterday today tomorrow ago last month months week weeks day days",
    "tr": "dün bugün yarın önce geçen ay hafta gün",
    "ar": "أمس امبارح مبارح البارح البارحة بالأمس اليوم غدا بكرة قبل منذ الماضي الماضية شهر الشهر أشهر شهور "
          "شهرين أسبوع الأسبوع أسبوعين أسابيع يوم أيام يومين",
    "pt": "ontem anteontem hoje amanhã há atrás passado passada mês meses semana semanas dia dias",
}
_WEEKDAYS = {
    "nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
    "en": "monday tuesday wednesday thursday friday saturday sunday",
    "tr": "pazartesi salı çarşamba perşembe cuma cumartesi pazar",
    "ar": "الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد",
    "pt": "segunda terça quarta quinta sexta sábado domingo",
}

# dateparser's own language first, English for the words the normaliser wrote in English.
_DATEPARSER_LANGUAGES = {"nl": ["nl", "en"], "en": ["en", "nl"], "tr": ["tr", "en"], "ar": ["ar", "en"],
                         "pt": ["pt", "en"]}


def _split(spec: str) -> list[str]:
    return [fold(word) for group in spec.split("|") for word in ([group] if " " in group.strip() else group.split())
            if word.strip()]


def _phrases(spec: str) -> set[str]:
    """'a b|c d' -> words a, b and phrase 'c d' (folded)."""
    first, *rest = spec.split("|")
    return {fold(w) for w in first.split()} | {fold(p.strip()) for p in rest if p.strip()}


_MONTHS: dict[str, int] = {}
for _names in MONTH_NAMES.values():
    for _number, _spec in enumerate(_names, 1):
        for _name in _spec.split("|"):
            _MONTHS[fold(_name)] = _number
_OWN_MONTHS: dict[str, dict[str, int]] = {code: {} for code in _DATEPARSER_LANGUAGES}
for _code, _names in MONTH_ABBREVIATIONS.items():
    for _number, _spec in enumerate(_names, 1):
        for _name in filter(None, _spec.split("|")):
            if _code in _SHARED_ABBREVIATIONS:
                _MONTHS.setdefault(fold(_name), _number)
            else:
                _OWN_MONTHS[_code][fold(_name)] = _number
_TR_MONTHS = {fold(name): number for number, name in enumerate(MONTH_NAMES["tr"], 1)}
# misspelling tolerance: the full names of the conversation's language, Dutch and English
_FUZZY = {code: sorted({fold(n) for c in {code, "nl", "en"} for spec in MONTH_NAMES[c] for n in spec.split("|")
                        if len(fold(n)) >= 5 and " " not in n}) for code in _DATEPARSER_LANGUAGES}
_YEARS = {fold(k): v for k, v in _RELATIVE_YEARS.items()}
_REWRITE = {fold(k): v for k, v in _REWRITES.items()}
_AGO_UNIT = {fold(k): v for k, v in _AGO_UNITS.items()}
_REWRITE_ONLY = {fold(k): v for k, v in _REWRITE_LANGS.items()}
_RELATIVE_WORDS = set().union(*(_phrases(s) for s in _RELATIVE.values()), *(_phrases(s) for s in _WEEKDAYS.values()))
_ANCHOR_WORDS = set().union(*(_phrases(s) for s in _ANCHORS.values()), *(_phrases(s) for s in _WEEKDAYS.values()))
_MAX_PHRASE = 4

_ISO = re.compile(r"\b(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})\b")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|e|ste|de|º|ª|°|\.(?=\s+[^\W\d_]))(?!\w)", re.IGNORECASE)
_APOSTROPHE_ENDING = re.compile(r"(?<=\w)['’`´](?=[^\W\d_])[^\W\d_]{1,6}\b")
_TOKEN = re.compile(r"[^\W\d_]+")
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640\u200e\u200f\u061c]")  # Arabic vowel marks, tatweel, direction marks
_SIMPLE = re.compile(r"(\d{1,2}) ([A-Z][a-z]+)\.?,? (\d{4})")
_DAY_MONTH = re.compile(r"(\d{1,2}) ([A-Z][a-z]+)\.?")
_ENGLISH = {name: number for number, name in enumerate(ENGLISH_MONTHS, 1)}
_FILLERS = [
    (re.compile(r"(?:\b(?:dia|op|on|em|no|am)|(?<!\w)(?:يوم|في|بتاريخ|تاريخ))\s+(?=\d)", re.I), ""),
    (re.compile(r"(\d)\s+(?:de|do|da|of)\s+(?=[A-Z])"), r"\1 "),  # 12 de maio, 12th of May
    (re.compile(r"([A-Z][a-z]+)\.?,?\s+(?:de|do|da)\s+(?=\d{4})"), r"\1 "),  # maio de 2024
    (re.compile(r"(\d{4})\s+(?:y[ıi]l[ıi](?:nda)?|senesi(?:nde)?)\b", re.I), r"\1"),  # 2024 yılında
    (re.compile(r"(?<!\w)(?:سنة|سنه|عام)\s+(?=\d{4})"), ""),  # سنة 2024
    (re.compile(r"^(\d{4})\s+(\d{1,2}\s+[A-Z][a-z]+)$"), r"\2 \1"),  # geçen yıl 12 mayıs
    (re.compile(r"<ago>\s+(.+)$"), r"\1 ago"),
]


class _Prepared(NamedTuple):
    text: str  # the plain form: digits 0-9, English month names, years written out
    month: bool  # a month name was read
    relative: bool  # a word that makes the date depend on today
    anchor: bool  # a word that says which day without a month or number ("gisteren")
    relative_year: bool  # "vorig jaar" and the like


def _settings(today: date, require: list[str]) -> dict:
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "REQUIRE_PARTS": require,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }


def _code(lang: str | None) -> str:
    code = languages.supported(lang)
    return code if code in _DATEPARSER_LANGUAGES else "nl"


@lru_cache(maxsize=4096)
def _month_number(word: str, lang: str) -> int | None:
    """The month a folded word names: exact (any language), Turkish case ending, or misspelled."""
    key = word.rstrip(".")
    number = _MONTHS.get(key) or _OWN_MONTHS[lang].get(key)
    if number or len(key) < 4:
        return number
    for suffix in _TR_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in _TR_MONTHS:
            return _TR_MONTHS[key[: -len(suffix)]]
    close = difflib.get_close_matches(key, _FUZZY[lang], n=1, cutoff=0.75)
    return _MONTHS[close[0]] if close else None


def _prepare(text: str, today: date, lang: str) -> _Prepared:
    text = _MARKS.sub("", text.translate(DIGITS)).replace("،", ",")
    text = text.strip().strip(".,;:!?؟").strip()
    text = _APOSTROPHE_ENDING.sub("", text)  # Mayıs'ta, 2024'te
    text = _ORDINAL.sub(r"\1", text)
    text = _NUMERIC.sub(lambda m: _expand_year(m, today), text)
    text = re.sub(r"'(\d{2})\b", lambda m: _full_year(m.group(1), today), text)
    tokens = [(m.start(), m.end(), fold(m.group(0))) for m in _TOKEN.finditer(text)]
    words = [t[2] for t in tokens]
    phrases = {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
    relative = not phrases.isdisjoint(_RELATIVE_WORDS)
    anchor = not phrases.isdisjoint(_ANCHOR_WORDS)
    out: list[str] = []
    last = 0
    month = relative_year = ago = False
    i = 0
    while i < len(tokens):
        start = tokens[i][0]
        for size in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            group = tokens[i:i + size]
            if any(text[a[1]:b[0]].strip() for a, b in zip(group, group[1:])):
                continue  # only words next to each other make a phrase
            phrase = " ".join(t[2] for t in group)
            end = group[-1][1]
            replacement = None
            if phrase in _YEARS:
                replacement, relative_year = str(today.year + _YEARS[phrase]), True
            elif phrase in _REWRITE and _REWRITE_ONLY.get(phrase, lang) == lang:
                replacement = _REWRITE[phrase]
                ago = ago or replacement == "<ago>"
            elif ago and phrase in _AGO_UNIT:
                replacement = _AGO_UNIT[phrase]
            elif size <= 2:
                number = _month_number(phrase, lang) if size == 1 or phrase in _MONTHS else None
                if number:
                    replacement, month = ENGLISH_MONTHS[number - 1], True
            if replacement is not None:
                out.append(text[last:start] + replacement)
                last = end
                i += size
                break
        else:
            i += 1
    out.append(text[last:])
    text = "".join(out)
    # "twee weken geleden", "iki hafta önce": a number word before a unit becomes digits
    text = re.sub(r"(?<!\w)([^\W\d_]+)(?=\s+[^\W\d_]+)", lambda m: _number_before_unit(m, text, lang), text)
    for pattern, replacement in _FILLERS:
        text = pattern.sub(replacement, text)
    return _Prepared(" ".join(text.split()), month, relative, anchor, relative_year)


def _number_before_unit(match: re.Match, text: str, lang: str) -> str:
    following = re.match(r"\s+([^\W\d_]+)", text[match.end():])
    if following and fold(following.group(1)) in _ANCHOR_WORDS:
        value = number_word(match.group(1), lang)
        if value is not None and 1 <= value <= 12 and fold(match.group(1)) not in ("een", "a", "bir", "um", "uma"):
            return str(value)
    return match.group(1)


def _expand_year(match: re.Match, today: date) -> str:
    """12-5-24 -> 12-5-2024: a two-digit year is the nearest one up to 30 years ahead."""
    day, month, year = match.groups()
    return f"{day}-{month}-{_full_year(year, today) if len(year) == 2 else year}"


def _full_year(two_digits: str, today: date) -> str:
    full = 2000 + int(two_digits)
    return str(full if full <= today.year + 30 else full - 100)


def _real(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# dateparser takes ~2 ms per call; the engine reads the same message twice (the NLU component that
# spots a person's own date, then the deadline action), and the result depends only on the arguments
@lru_cache(maxsize=1024)
def _parse_whole(text: str, today: date, lang: str) -> tuple[date, bool] | None:
    """Parse `text` as one date. Returns (date, relative) or None (remembered per text, day, language)."""
    lang = _code(lang)
    prepared = _prepare(text, today, lang)
    text = prepared.text
    if not text or re.fullmatch(r"\d{4}", text):
        return None  # "vorig jaar", "geçen yıl", "ano passado" alone: a year is not a day
    iso = _ISO.fullmatch(text)
    if iso:
        value = _real(int(iso.group(1)), int(iso.group(3)), int(iso.group(4)))
        return (value, False) if value else None
    numeric = _NUMERIC.fullmatch(text)
    if numeric:
        day, month, year = map(int, numeric.groups())
        value = _real(year, month, day)  # 30-02-2025: never let a parser "repair" an impossible date
        return (value, prepared.relative_year) if value else None
    simple = _SIMPLE.fullmatch(text)
    if simple and simple.group(2) in _ENGLISH:  # 12 May 2024: read directly, the same in every version
        value = _real(int(simple.group(3)), _ENGLISH[simple.group(2)], int(simple.group(1)))
        return (value, prepared.relative_year) if value else None
    day_month = _DAY_MONTH.fullmatch(text)
    if day_month and day_month.group(2) in _ENGLISH and not _real(2024, _ENGLISH[day_month.group(2)],
                                                                 int(day_month.group(1))):
        return None  # 31 april: no year has it
    if prepared.relative:
        if not (prepared.month or _NUMERIC.search(text) or prepared.anchor):
            return None
        parsed = dateparser.parse(text, languages=_DATEPARSER_LANGUAGES[lang], settings=_settings(today, []))
        return (parsed.date(), True) if parsed else None
    if not prepared.month:
        return None
    parsed = dateparser.parse(text, languages=_DATEPARSER_LANGUAGES[lang],
                              settings=_settings(today, ["day", "month", "year"]))
    if parsed:
        # A year written in the text (or replaced from "vorig jaar") makes it absolute.
        return parsed.date(), prepared.relative_year or not re.search(r"\d{4}", text)
    parsed = dateparser.parse(text, languages=_DATEPARSER_LANGUAGES[lang], settings=_settings(today, ["day", "month"]))
    return (parsed.date(), True) if parsed else None  # no year written: today decides it


def parse_date(text: str, today: date, lang: str) -> ParsedDate | None:
    """One date from a short answer ("12 mei 2024", "12-5-24", "gisteren", "dün", "أمس"), or None.

    If the whole text is not a date, the first date found inside it is returned.
    """
    if not text or not text.strip():
        return None
    whole = _parse_whole(text, today, lang)
    if whole:
        return ParsedDate(value=whole[0], relative=whole[1], matched=text.strip())
    found = find_dates(text, today, lang)
    return found[0] if found else None


# Where a date may be in a longer message. Run on the folded text (lower case, no accents,
# Arabic letter variants joined, digits 0-9), which has one character per original character.
def _alternatives(words: set[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_WORD = r"[^\W\d_]{2,12}(?:'[^\W\d_]{1,6})?\.?"
_MULTI_MONTH = _alternatives({m for m in _MONTHS if " " in m})
_YEAR = r"(?:\d{4}(?:'[^\W\d_]{1,6})?|'\d{2})"
_REL_YEAR = _alternatives(set(_YEARS))
_UNIT_WORDS = _alternatives({w for w in _ANCHOR_WORDS if " " not in w})
_AGO = _alternatives({fold(w) for w in ("geleden", "ago", "önce", "atrás", "atras")})
_BEFORE = _alternatives({fold(w) for w in ("há", "منذ", "قبل")})
_NUMBER_WORD = r"(?:\d{1,3}|[^\W\d_]{2,8})"
_CANDIDATES = [
    _ISO,
    _NUMERIC,
    # 12 mei 2024 / 12th of May 2024 / 12 de maio de 2024 / 12 Mayıs'ta / 12 كانون الثاني 2024 / 3 maart vorig jaar
    re.compile(rf"(?<!\w)\d{{1,2}}(?:st|nd|rd|th|e|ste|de|º|ª|\.)?\s+(?:(?:of|de)\s+)?(?:{_MULTI_MONTH}|{_WORD})"
               rf"(?:,?\s+(?:(?:de|do|of)\s+)?(?:{_YEAR}|{_REL_YEAR}))?"),
    # May 12th 2024 / May 12, 2024
    re.compile(rf"(?<!\w){_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?(?!\w)"),
    # 2 weken geleden / iki hafta önce / há 2 semanas / منذ أسبوعين
    re.compile(rf"(?<!\w){_NUMBER_WORD}\s+(?:{_UNIT_WORDS})\s+(?:{_AGO})(?!\w)"),
    re.compile(rf"(?<!\w)(?:{_BEFORE})\s+(?:\d{{1,3}}\s+|[^\W\d_]{{2,8}}\s+)?(?:{_UNIT_WORDS})(?!\w)"),
    re.compile(r"(?<!\w)(?:vorige|afgelopen|deze|last|this|gecen|bu)\s+(?:week|maand|month|hafta|ay)(?!\w)"),
    re.compile(r"(?<!\w)(?:(?:mes|semana)\s+passad[oa]|(?:الشهر|الاسبوع)\s+(?:الماضي|اللي\s+فات|الفائت))(?!\w)"),
    re.compile(r"(?<!\w)(?:eergisteren|gisteren|vandaag|yesterday|today|dun|bugun|anteontem|ontem|hoje"
               r"|اول\s+امس|اول\s+امبارح|امس|امبارح|مبارح|البارحه|البارح|بالامس)(?!\w)"),
]


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the position in `text` it came from."""
    chars: list[str] = []
    where: list[int] = []
    for position, ch in enumerate(text):
        folded = fold(ch) if not ch.isascii() else ch.lower()
        for piece in folded:
            chars.append(piece)
            where.append(position)
    where.append(len(text))
    return "".join(chars), where


def find_dates(text: str, today: date, lang: str) -> list[ParsedDate]:
    """All dates in a longer message, in the order they appear."""
    folded, where = _folded_with_positions(text or "")
    spans: list[tuple[int, int]] = []
    for pattern in _CANDIDATES:
        for match in pattern.finditer(folded):
            start, end = where[match.start()], where[match.end() - 1] + 1
            if any(s < end and start < e for s, e in spans):
                continue  # overlaps an earlier, more specific match
            spans.append((start, end))
    results: list[tuple[int, ParsedDate]] = []
    for start, end in spans:
        chunk = text[start:end].strip()
        parsed = _parse_whole(chunk, today, lang)
        if parsed is None and " " in chunk and not re.search(r"\d{4}\S*$", chunk.translate(DIGITS)):
            # "12 mei en" style over-matches: drop the last word and try again (never a written
            # year: "29 februari 2023" does not exist, it is not 29 February of some other year).
            shorter = chunk.rsplit(" ", 1)[0].rstrip(",،")
            parsed = _parse_whole(shorter, today, lang)
            chunk = shorter if parsed else chunk
        if parsed is not None:
            results.append((start, ParsedDate(value=parsed[0], relative=parsed[1], matched=chunk)))
    return [parsed for _, parsed in sorted(results, key=lambda item: item[0])]


def parse_int(text: str, lang: str | None = None) -> int | None:
    """The first whole number in `text`: digits ("450", "1.200", "٤٥٠") or a simple number word in
    any language ("twee", "two", "iki", "اثنين", "dois"; knowledge/chatwords.yml)."""
    if not text:
        return None
    text = text.translate(DIGITS)
    match = re.search(r"\d{1,3}(?:[.,]\d{3})+(?![.,]?\d)|\d+", text)
    if match:
        return int(re.sub(r"[.,]", "", match.group(0)))
    for word in _TOKEN.findall(text):
        value = number_word(word, lang)
        if value is not None:
            return value
    return None


_INVALID_DAY_MONTH = re.compile(r"(?<!\d)(\d{1,2}) ([A-Z][a-z]+)(?: (\d{4}))?(?!\d)")


def explain_invalid(text: str, lang: str) -> str:
    """A short re-ask for a date we could not read, with an example (knowledge/i18n/<lang>/messages/dates.yaml)."""
    code = _code(lang)
    today = date.today()
    prepared = _prepare(text or "", today, code).text
    numeric = _NUMERIC.search(prepared)
    iso = _ISO.search(prepared)
    found = None
    if iso:
        found = (int(iso.group(4)), int(iso.group(3)), int(iso.group(1)))
    elif numeric:
        found = (int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3)))
    else:
        written = _INVALID_DAY_MONTH.search(prepared)
        if written and written.group(2) in _ENGLISH:
            found = (int(written.group(1)), _ENGLISH[written.group(2)],
                     int(written.group(3)) if written.group(3) else None)
    if found and 1 <= found[1] <= 12:
        day, month, year = found
        if month == 2 and day == 29 and year and not _real(year, 2, 29):
            return texts.text("dates.not_leap_year", code, year=year)
        if not _real(year or 2024, month, day):
            return texts.text("dates.no_such_day", code, day=day, month=texts.text(f"deadlines.month.{month}", code))
    return texts.text("dates.unreadable", code)
