"""Fixtures for privacy tests: a gateway beside a tracker database of the test."""

from tests.support.trackers import *  # noqa: F401,F403
