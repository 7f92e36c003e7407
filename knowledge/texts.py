"""User-facing text catalogues: every sentence a user or consultant reads, per language.

Catalogues live in ``knowledge/i18n/<lang>/messages/<domain>.yaml``; a key is
``<domain>.<name>`` (``deadlines.estimate_note``). Dutch (``nl``) is the source; a translation
file records where it came from (``translation:``, see ``knowledge.translations``). A key missing
in a language falls back to Dutch, so a new language can be added one file at a time.

Placeholders use ``str.format`` names: ``{date}``. Dependency-light (PyYAML): both environments
import it.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from . import languages

I18N_DIR = Path(__file__).with_name("i18n")


class MissingText(KeyError):
    """A key that the Dutch source catalogue does not have."""


@functools.lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, keyed ``domain.name``."""
    messages: dict[str, str] = {}
    folder = I18N_DIR / lang / "messages"
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        for name, value in (data.get("messages") or {}).items():
            messages[f"{path.stem}.{name}"] = value
    return messages


def has(key: str, lang: str) -> bool:
    return key in catalogue(languages.supported(lang))


def text(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The message `key` in `lang` (Dutch when that language lacks it), filled with `params`."""
    lang = languages.supported(lang)
    value = catalogue(lang).get(key)
    if value is None:
        value = catalogue(languages.SOURCE).get(key)
        if value is None:
            raise MissingText(key)
    return value.format(**params) if params else value


def keys(domain: str | None = None) -> list[str]:
    """The source catalogue's keys (of one domain)."""
    return [k for k in catalogue(languages.SOURCE) if domain is None or k.startswith(domain + ".")]


class Localized(Mapping[str, str]):
    """One catalogue entry seen as ``{lang: text}``: ``NOTICE[lang]``, ``NOTICE.get(lang)``.

    Any language code works; one Wegwijs does not speak (or a missing translation) gives Dutch."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __getitem__(self, lang: str) -> str:
        return text(self.key, lang)

    def get(self, lang: object, default: object = None) -> str:  # type: ignore[override]
        return text(self.key, lang if isinstance(lang, str) else None)

    def __iter__(self) -> Iterator[str]:
        return iter(languages.CODES)

    def __len__(self) -> int:
        return len(languages.CODES)

    def __repr__(self) -> str:
        return f"Localized({self.key!r})"
