"""Run a command with a throw-away PostgreSQL on 127.0.0.1 (WEGWIJS_TEST_POSTGRES_URL set).

Usage: python scripts/with_postgres.py -- <command ...>
Without initdb/pg_ctl on the machine the command runs without it and the PostgreSQL tests skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.scale.services import Postgres, missing_services  # noqa: E402


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        raise SystemExit("usage: with_postgres.py -- <command ...>")
    if any(name in missing_services() for name in ("initdb", "pg_ctl")):
        print("PostgreSQL binaries not found: PostgreSQL tests will skip", flush=True)
        return subprocess.call(argv)
    pg = Postgres().init()
    try:
        pg.start()
        pg.create_database("wegwijs_test")
        env = dict(os.environ, WEGWIJS_TEST_POSTGRES_URL=pg.url("wegwijs_test", driver="postgresql+psycopg"))
        print(f"PostgreSQL for tests on 127.0.0.1:{pg.port}", flush=True)
        return subprocess.call(argv, env=env)
    finally:
        pg.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
