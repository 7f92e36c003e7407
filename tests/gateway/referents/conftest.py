"""Fixtures for referent tests: the same gateway and tracker database as the reminder and privacy tests."""

from tests.support.trackers import *  # noqa: F401,F403 - fixtures and helpers are shared
