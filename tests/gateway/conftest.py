"""Fixtures for every gateway test: settings on a temporary SQLite file, the fake engine, an app and a client."""

from tests.support.gateway import *  # noqa: F401,F403 - the shared fixtures live in one module
