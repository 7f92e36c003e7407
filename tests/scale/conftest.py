"""The production-shaped stack for the scale tests: PostgreSQL trackers, Redis locks, two engines.

Both engines call one shared action server over HTTP (WEGWIJS_ACTIONS_MODULE empty), the set-up
for actions that must run apart from the engines; so the token and bind tests cover it. The
default, actions inside each engine, runs in tests/model and in bench/ (also with two engines).
"""

from __future__ import annotations

import pytest

from tests.scale.services import MODEL, Postgres, Redis, Stack, missing_services


@pytest.fixture(scope="package")
def two_engines(tmp_path_factory: pytest.TempPathFactory) -> Stack:
    missing = missing_services()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/setup-test-services installs redis-server as root)")
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run scripts/train first")
    pg = Postgres().init()
    redis = Redis()
    stack = None
    try:
        pg.start()
        pg.create_database("trackers")
        redis.start()
        stack = Stack(tmp_path_factory.mktemp("two-engines"), engines=2, postgres=pg, redis=redis, action_server=True)
        yield stack.up()
    finally:
        if stack is not None:
            stack.down()
        redis.cleanup()
        pg.cleanup()
