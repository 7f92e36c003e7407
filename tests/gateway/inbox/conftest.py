"""Fixtures for the inbox: a gateway with consultants, the scripted engine, login helpers."""

from tests.support.inbox import *  # noqa: F401,F403
