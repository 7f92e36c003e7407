"""The small words of the deadline conversation, in every language Wegwijs speaks (data: chatwords.yml).

    is_yes("Evet ama emin değilim")  -> True       is_no("nooit") -> False
    is_stop("stopcontact")           -> False      is_dont_know("ما عرفتش") -> True
    hours_in("ik heb ٣٠٠ uur")        -> 300        number_word("dois") -> 2

Every check folds the text first (:func:`fold`: case, accents, Arabic diacritics and letter
variants, Turkish dotless i, Arabic-Indic digits) and looks at all languages: people mix them.
Dependency-light (stdlib + PyYAML): the engine and the gateway both import it.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

__all__ = ["fold", "hours_in", "is_dont_know", "is_no", "is_stop", "is_yes", "number_word", "words"]

WORDS_FILE = Path(__file__).with_name("chatwords.yml")

# Arabic-Indic (U+0660..) and Eastern Arabic/Persian (U+06F0..) digits -> ASCII; one char for one.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LETTERS = {"ı": "i", "ى": "ي", "ة": "ه", "ـ": "", "’": "'", "‘": "'", "`": "'", "،": ",", "؛": ";", "؟": "?",
            "\u200e": "", "\u200f": "", "\u061c": "", "ß": "ss"}


@functools.lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """One character folded: '' (a mark), or one or two characters."""
    ch = ch.translate(DIGITS)
    if ch in _LETTERS:
        return _LETTERS[ch]
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(_LETTERS.get(c, c) for c in out)


def fold(text: str) -> str:
    """Lower case without accents or Arabic diacritics, Turkish ı = i, Arabic أ/إ/آ = ا, ة = ه, ى = ي,
    Arabic-Indic digits as 0-9."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(ch) for ch in text)


def _words(text: str) -> str:
    """Folded text as single-spaced words: apostrophes dropped, other punctuation a space."""
    folded = fold(text).replace("'", "")
    return " ".join(re.findall(r"\w+", folded))


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    with WORDS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["languages"]


def words(kind: str, lang: str | None = None) -> list[str]:
    """The raw entries of one kind ("yes", "hours", ...) of one language, or of all languages."""
    data = _data()
    codes = [lang] if lang else list(data)
    return [str(w) for code in codes for w in (data.get(code) or {}).get(kind) or []]


@functools.lru_cache(maxsize=None)
def _phrases(kind: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(whole-answer phrases, leading/anywhere phrases), folded."""
    whole, lead = set(), set()
    for entry in words(kind):
        if entry.startswith("="):
            whole.add(_words(entry[1:]))
        else:
            lead.add(_words(entry))
    return frozenset(whole), tuple(sorted(lead, key=len, reverse=True))


def _starts_with(kind: str, text: str) -> bool:
    said = _words(text or "")
    if not said:
        return False
    whole, lead = _phrases(kind)
    if said in whole:
        return True
    return any(said == p or said.startswith(p + " ") for p in lead)


def is_dont_know(text: str) -> bool:
    """'weet ik niet', 'bilmiyorum', 'مش عارف', 'não sei' anywhere in the answer."""
    said = f" {_words(text or '')} "
    whole, lead = _phrases("dont_know")
    return said.strip() in whole or any(f" {p} " in said for p in lead)


def is_yes(text: str) -> bool:
    """The answer starts with a yes word ('evet ama...', 'ja hoor', 'أيوه', 'sim')."""
    return _starts_with("yes", text) and not is_dont_know(text)


def is_no(text: str) -> bool:
    """The answer starts with a no word ('nee', 'hayır', 'لأ', 'não'); 'no idea'/'não sei' are not no."""
    return _starts_with("no", text) and not is_dont_know(text)


def is_stop_reminders(text: str) -> bool:
    """The whole answer asks to stop reminders ('stop herinneringen', 'parar lembretes')."""
    whole, _ = _phrases("stop_reminders")
    return _words(text or "") in whole


def is_phrase(kind: str, text: str) -> bool:
    """The whole answer is one of the "="-phrases of `kind` in any language
    (`is_phrase("stop_sharing", "Stop delen!")`; the referent's words, gateway/referents)."""
    whole, _ = _phrases(kind)
    return _words(text or "") in whole


def is_news_on(text: str) -> bool:
    """The whole answer asks for the municipality's news ('nieuws aan', '/nieuws', 'haberler')."""
    return _words(text or "") in _phrases("news_on")[0]


def is_news_off(text: str) -> bool:
    """The whole answer stops the municipality's news ('stop nieuws', '/stopnieuws', 'parar notícias')."""
    return _words(text or "") in _phrases("news_off")[0]


def is_stop(text: str) -> bool:
    """The person wants to stop the questions ('stop', 'iptal', 'خلاص', 'cancelar')."""
    return _starts_with("stop", text)


@functools.lru_cache(maxsize=None)
def _numbers(lang: str | None) -> dict[str, int]:
    data = _data()
    table: dict[str, int] = {}
    # the conversation's own language first, then the others without their ambiguous words
    for code in ([lang] if lang in data else []) + [c for c in data if c != lang]:
        own = {_words(w) for w in data[code].get("own_language_numbers") or []}
        for word, value in (data[code].get("numbers") or {}).items():
            key = _words(str(word))
            if code != lang and key in own:
                continue
            table.setdefault(key, int(value))
    return table


def number_word(word: str, lang: str | None = None) -> int | None:
    """The value of one number word ('twee', 'iki', 'اثنين', 'dois'), or None."""
    return _numbers(lang).get(_words(word))


@functools.lru_cache(maxsize=None)
def _hours_pattern() -> re.Pattern[str]:
    hour_words = sorted({_words(w) for w in words("hours")}, key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in hour_words)
    return re.compile(rf"(?<![\w.,])(-?\s?\d{{1,3}}(?:[.,]\d{{3}})+|-?\s?\d+|[^\W\d_]+)\s*(?:{alternatives})(?!\w)")


def hours_in(text: str, lang: str | None = None) -> int | None:
    """The number of hours in `text`: a number (or number word) followed by an hour word
    ('300 uur', '450 saat', '٣٠٠ ساعة', '120 horas', 'twee uur'), else None."""
    if not text:
        return None
    folded = fold(text).replace("'", "")
    for match in _hours_pattern().finditer(folded):
        number = match.group(1)
        if number[-1].isdigit():
            return int(re.sub(r"[\s.,]", "", number))
        value = number_word(number, lang)
        if value is not None:
            return value
    return None
