"""The real stack for the fault tests: PostgreSQL for the gateway and the engine's trackers, one
engine, the action server, the gateway (web chat + Telegram webhook against a fake Telegram API).
The custom actions run in a separate action server here (not inside the engine, the default), so
that the tests can take it away."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.scale.services import MODEL, Postgres, Stack, missing_services

TELEGRAM_TOKEN = "7000000001:AAFtestTokenForWegwijs"
TELEGRAM_SECRET = "wegwijs-faults-webhook-secret_1"


@dataclass
class Faults:
    stack: Stack
    pg: Postgres
    telegram: FakeTelegramAPI
    db: sa.Engine  # the gateway's database, read by the tests


@pytest.fixture(scope="package")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faults]:
    missing = [m for m in missing_services() if m != "redis-server"]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (PostgreSQL server binaries)")
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run scripts/train first")
    pg = Postgres().init()
    stack = None
    telegram = FakeTelegramAPI(token=TELEGRAM_TOKEN)
    try:
        pg.start()
        pg.create_database("trackers")
        pg.create_database("gateway")
        with serve(telegram.app()) as telegram_url:
            stack = Stack(
                tmp_path_factory.mktemp("faults"), engines=1, postgres=pg, action_server=True,
                gateway_db_url=pg.url("gateway", "postgresql+psycopg"),
                extra_env={
                    "WEGWIJS_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
                    "WEGWIJS_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
                    "WEGWIJS_TELEGRAM_API_BASE_URL": telegram_url,
                    "WEGWIJS_TELEGRAM_SET_WEBHOOK": "false",
                    "WEGWIJS_ENGINE_RETRIES": "3",
                },
            )
            stack.up()
            db = sa.create_engine(pg.url("gateway", "postgresql+psycopg"), pool_pre_ping=True)
            try:
                yield Faults(stack, pg, telegram, db)
            finally:
                db.dispose()
    finally:
        if stack is not None:
            stack.down()
        pg.cleanup()
