"""Fixtures for news tests: the inbox's gateway fixtures (consultants, login, scripted engine),
with the scheduler off so each test runs the delivery itself (`app.state.news.send_due`)."""

from pathlib import Path

import pytest

from gateway.core.config import Settings
from tests.support.inbox import *  # noqa: F401,F403
from tests.support.inbox import make_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, scheduler_enabled=False)
