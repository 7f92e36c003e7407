"""Fixtures for the check-in tests: the gateway fixtures, and cheap password hashing for the inbox."""

import pytest
from argon2 import PasswordHasher

from gateway.inbox import security
from tests.support.gateway import *  # noqa: F401,F403 - the shared fixtures live in one module
from tests.support.gateway import make_settings


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def settings(tmp_path):  # noqa: ANN001, ANN201
    """A municipality without its own `checkin_interval_weeks`: the setting's 12 weeks apply."""
    return make_settings(tmp_path, municipality="heidebeek")
