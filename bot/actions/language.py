"""Helpers shared by the actions: which language to answer in."""

from __future__ import annotations

from rasa_sdk import Tracker

SUPPORTED = ("nl", "en")


def current_language(tracker: Tracker) -> str:
    value = tracker.get_slot("language")
    return value if value in SUPPORTED else "nl"
