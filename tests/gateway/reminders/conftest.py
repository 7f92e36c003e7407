"""Fixtures for reminder tests: the same gateway and tracker database as the privacy tests."""

from tests.support.trackers import *  # noqa: F401,F403 - fixtures and helpers are shared
