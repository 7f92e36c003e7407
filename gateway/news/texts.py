"""News texts, from the catalogue knowledge/i18n/<lang>/messages/news.yaml.

The editor's own words are not catalogue texts: they are the message, in the languages the
editor wrote (`news_text` falls back to the Dutch one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from knowledge import languages
from knowledge.loader import municipalities
from knowledge.texts import Localized

OFFER = Localized("news.offer")
OFFER_BUTTON = Localized("news.offer_button")
SUBSCRIBED = Localized("news.subscribed")
ALREADY_SUBSCRIBED = Localized("news.already_subscribed")
NO_MUNICIPALITY = Localized("news.no_municipality")
STOPPED = Localized("news.stopped")
NOT_SUBSCRIBED = Localized("news.not_subscribed")
HEADER = Localized("news.header")
LINK = Localized("news.link")
STOP_HINT = Localized("news.stop_hint")


def lang_of(value: object, default: str = "nl") -> str:
    return languages.supported(value if isinstance(value, str) else None, default)


def municipality_name(municipality: str) -> str:
    found = municipalities().get(municipality)
    return found.naam if found is not None else municipality


def news_text(texts: Mapping[str, Any], lang: str) -> str:
    """The editor's text in `lang`, else the Dutch text."""
    own = texts.get(lang)
    return str(own if isinstance(own, str) and own.strip() else texts.get(languages.SOURCE) or "").strip()


def render(texts: Mapping[str, Any], link: str | None, municipality: str, lang: str) -> str:
    """What a subscriber reads: the header, the editor's text, the link, how to stop."""
    lang = lang_of(lang)
    parts = [HEADER[lang].format(municipality=municipality_name(municipality)), news_text(texts, lang)]
    if link:
        parts.append(LINK[lang].format(link=link))
    parts.append(STOP_HINT[lang])
    return "\n\n".join(parts)
