"""Helpers shared by the actions: which language to answer in (knowledge/languages.yml), and for
which municipality (the `municipality` slot, knowledge/municipal.py)."""

from __future__ import annotations

from rasa_sdk import Tracker

from knowledge import languages, loader, municipal

SUPPORTED = languages.CODES


def current_language(tracker: Tracker) -> str:
    return languages.supported(tracker.get_slot("language"))


def current_municipality(tracker: Tracker) -> loader.Municipality:
    """The conversation's municipality (slot `municipality`), or the deployment default."""
    return municipal.resolve(tracker.get_slot("municipality"))
