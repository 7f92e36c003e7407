"""The only module in bot/actions that reads the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSettings:
    # the deployment's default municipality; a conversation's own is its `municipality` slot
    # (actions.language.current_municipality)
    municipality: str
    timezone: str = "Europe/Amsterdam"


def get_settings() -> ActionSettings:
    return ActionSettings(municipality=os.environ.get("WEGWIJS_MUNICIPALITY", "voorbeeldstad"))
