"""Text as the classifier sees it: folded, tokenised, and tagged with cross-language concepts.

Five languages with about 30 examples per topic each are too few for each language alone. The
concept lexicon (knowledge/lexicon/*.yml) maps the words of every language to one shared token
(``vrijstelling``, ``muafiyet``, ``إعفاء``, ``isenção`` → ``cx_exemption``), so the classifier learns
each concept from all five languages. Folding makes spelling variants meet: lower case, no accents
or Arabic diacritics, Turkish dotless i, Arabic letter variants and digits, Arabic clitic prefixes.

Pure Python (PyYAML): the engine and the evaluation both import it.
"""
from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from pathlib import Path

import yaml

LEXICON_DIR = Path(__file__).with_name("lexicon")
CONCEPT_PREFIX = "cx_"
PREFIX_MIN = 5  # a lexicon entry this long also matches words that start with it

_TOKEN = re.compile(r"\w+", re.UNICODE)
_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_LETTERS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "گ": "ك",
    "ڤ": "ف", "پ": "ب", "چ": "ج", "ک": "ك", "ی": "ي",
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
})
# and/so + by/for/like + the: والامتحان, بالعربي, للبلدية -> امتحان, عربي, بلديه
_ARABIC_PREFIX = re.compile(r"^(?:و|ف)?(?:ب|ل|ك)?(?:ال|لل)(?=[\u0600-\u06FF]{2,})")
_ARABIC_WORD = re.compile(r"^[\u0600-\u06FF]")


def fold(text: str) -> str:
    """Lower case without accents, diacritics or letter variants ("Muafiyet" = "muafıyet")."""
    text = text.casefold().replace("ı", "i").replace("i̇", "i")
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_word(word: str) -> str:
    word = fold(word)
    if _ARABIC_WORD.match(word):
        word = _ARABIC_PREFIX.sub("", word)
    return word


_SCRIPT_BOUNDARY = re.compile(r"(?<=[\u0600-\u06FF])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u0600-\u06FF])")


def words(text: str) -> list[str]:
    """The folded words of a message; a Dutch loanword glued to an Arabic article is split off
    ("الgemeente" -> "ال", "gemeente")."""
    text = _SCRIPT_BOUNDARY.sub(" ", text)
    return [fold_word(w) for w in _TOKEN.findall(text)]


class Lexicon:
    """Concept entries of every language, matched on folded words (prefix match for long ones)."""

    def __init__(self, concepts: dict[str, dict[str, list[str]]]) -> None:
        # short words are matched only in their own language ("para" is money in Turkish, "for"
        # in Portuguese); longer ones and phrases in any language (loanwords travel)
        self.exact: dict[str | None, dict[str, set[str]]] = {}
        self.prefixes: list[tuple[str, str]] = []
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for concept, by_language in concepts.items():
            for lang, entries in by_language.items():
                for entry in entries:
                    parts = tuple(words(str(entry)))
                    if not parts:
                        continue
                    if len(parts) > 1:
                        self.phrases.setdefault(parts[0], []).append((parts, concept))
                    elif len(parts[0]) >= PREFIX_MIN:
                        self.prefixes.append((parts[0], concept))
                    else:
                        self.exact.setdefault(lang, {}).setdefault(parts[0], set()).add(concept)
                        self.exact.setdefault(None, {}).setdefault(parts[0], set()).add(concept)
        self.prefixes.sort()
        self._keys = [p for p, _ in self.prefixes]

    def concepts(self, tokens: list[str], lang: str | None = None) -> list[str]:
        """Concepts in a message; short words count only in `lang` (every language when None)."""
        found: list[str] = []
        exact = self.exact.get(lang, {}) if lang else self.exact.get(None, {})
        for i, token in enumerate(tokens):
            found += sorted(exact.get(token, ()))
            # every entry that is a prefix of the token: walk the sorted keys left of its position
            j = bisect.bisect_right(self._keys, token)
            while j > 0:
                j -= 1
                key, concept = self.prefixes[j]
                if token.startswith(key):
                    found.append(concept)
                elif key[:1] != token[:1]:
                    break
            for parts, concept in self.phrases.get(token, ()):
                if tuple(tokens[i : i + len(parts)]) == parts:
                    found.append(concept)
        return list(dict.fromkeys(found))


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    concepts: dict[str, dict[str, list[str]]] = {}
    for path in sorted(LEXICON_DIR.glob("*.yml")):
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        for concept, entries in (data.get("concepts") or {}).items():
            merged = concepts.setdefault(concept, {})
            for lang, values in (entries or {}).items():
                merged.setdefault(lang, []).extend(values or [])
    return Lexicon(concepts)


def analyse(text: str, lang: str | None = None) -> str:
    """Folded words plus concept tokens: the text the word features are computed on."""
    tokens = words(text)
    concepts = lexicon().concepts(tokens, lang)
    return " ".join(tokens + [CONCEPT_PREFIX + c for c in concepts])


def normalise(text: str) -> str:
    """Folded words only: the text the character features are computed on."""
    return " ".join(words(text))
