"""Helpers that keep personal data out of logs (shared with the engine: `knowledge.logredact`)."""

from __future__ import annotations

from knowledge.logredact import hash_id

__all__ = ["hash_id"]
