"""Helpers that keep personal data out of logs."""

from __future__ import annotations

import hashlib


def hash_id(value: str) -> str:
    """A short, stable SHA-256 fingerprint of an identifier (user id, phone number) for logs."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]
