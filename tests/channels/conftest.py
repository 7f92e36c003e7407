"""Fixtures for the channel adapters: the same gateway fixtures; each channel test points its channel at a fake platform."""

from tests.support.gateway import *  # noqa: F401,F403 - the shared fixtures live in one module
