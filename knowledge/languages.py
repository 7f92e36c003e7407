"""The languages Wegwijs speaks, read from knowledge/languages.yml (language is data).

Dependency-light (PyYAML only): both the engine and the gateway import it.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

LANGUAGES_FILE = Path(__file__).with_name("languages.yml")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    with LANGUAGES_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


SOURCE: str = _data()["source"]
CODES: tuple[str, ...] = tuple(_data()["languages"])
TRANSLATIONS: tuple[str, ...] = tuple(code for code in CODES if code != SOURCE)


def info(code: str) -> dict[str, Any]:
    return _data()["languages"][supported(code)]


def supported(code: str | None, default: str | None = None) -> str:
    """`code` when Wegwijs speaks it (also for 'pt-BR', 'tr_TR'), else `default` or the source."""
    if code:
        base = str(code).replace("_", "-").split("-")[0].lower()
        if base in CODES:
            return base
    return default if default in CODES else SOURCE


def direction(code: str) -> str:
    return info(code).get("direction", "ltr")


def name(code: str) -> str:
    return info(code)["name"]


def fold(text: str) -> str:
    """Lower case without accents or Arabic diacritics, for comparing typed words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("ı", "i").strip(" .!?,;:")


@functools.lru_cache(maxsize=1)
def _switch_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for code in CODES:
        for word in [info(code)["name"], *info(code).get("switch_words", [])]:
            words[fold(word)] = code
    return words


def language_named(text: str) -> str | None:
    """The language a short message names ("Türkçe", "العربية", "in English"), or None."""
    return _switch_words().get(fold(text))


def arabic_share(text: str) -> float:
    """The share of letters in a message that are Arabic script."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if _ARABIC.match(ch)) / len(letters)
