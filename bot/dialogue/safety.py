"""Recognise signals of danger at home in a message (patterns: dialogue/safety.yaml)."""

from __future__ import annotations

import functools
import re

from knowledge import loader

SAFETY_FILE = loader.KNOWLEDGE_DIR / "dialogue" / "safety.yaml"


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, ...]:
    data = loader.read_yaml(SAFETY_FILE)["patterns"]
    return tuple(re.compile(p, re.IGNORECASE) for lang in data for p in data[lang])


def is_danger_signal(text: str) -> bool:
    return any(p.search(text or "") for p in _patterns())
