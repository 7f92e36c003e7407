"""The inbox's own texts come from the catalogue `knowledge/i18n/<lang>/messages/inbox.yaml`.

The consultant pages are Dutch (`UI_LANGUAGE`); the English catalogue is there for a
municipality that runs the inbox in English later.
"""

from __future__ import annotations

from typing import Any

from knowledge.texts import text

UI_LANGUAGE = "nl"


def ui(key: str, /, **params: Any) -> str:
    """`inbox.<key>` in the inbox's language."""
    return text(f"inbox.{key}", UI_LANGUAGE, **params)
