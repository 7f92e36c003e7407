"""Helpers shared by the actions: which language to answer in (knowledge/languages.yml)."""

from __future__ import annotations

from rasa_sdk import Tracker

from knowledge import languages

SUPPORTED = languages.CODES


def current_language(tracker: Tracker) -> str:
    return languages.supported(tracker.get_slot("language"))
