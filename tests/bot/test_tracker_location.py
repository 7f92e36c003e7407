"""Review finding 1: the engine resolves a relative SQLite tracker file from the repository root,
as the gateway does (gateway/core/config.py), not from its working directory bot/."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("rasa")

from addons.stores import REPO_ROOT, absolute_sqlite_db  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_a_relative_sqlite_tracker_file_is_taken_from_the_repository_root() -> None:
    assert REPO_ROOT == ROOT
    assert absolute_sqlite_db("sqlite", "var/trackers.db") == str(ROOT / "var" / "trackers.db")
    assert absolute_sqlite_db("sqlite", "/srv/trackers.db") == "/srv/trackers.db"
    assert absolute_sqlite_db("postgresql", "trackers") == "trackers"  # a database name
