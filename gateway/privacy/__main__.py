"""Command line: `python -m gateway.privacy retention [--dry-run] [--days N]`.

Deletes (or with --dry-run only counts) what is older than the retention period and prints the
counts as JSON. Uses the gateway settings (WEGWIJS_DATABASE_URL, WEGWIJS_RETENTION_DAYS,
WEGWIJS_TRACKER_URL / WEGWIJS_TRACKER_STORE_URL).
"""

from __future__ import annotations

import argparse
import json
import sys

from gateway.core.config import get_settings
from gateway.core.db import make_engine, make_session_factory, migrate
from gateway.privacy.retention import run_retention


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.privacy")
    commands = parser.add_subparsers(dest="command", required=True)
    retention = commands.add_parser("retention", help="delete data older than the retention period")
    retention.add_argument("--dry-run", action="store_true", help="only count, delete nothing")
    retention.add_argument("--days", type=int, default=None, help="override retention_days")
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.days is not None:
        settings = settings.model_copy(update={"retention_days": args.days})
    migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        report = run_retention(
            make_session_factory(engine), settings, dry_run=args.dry_run, tracker_url=settings.rasa_tracker_url
        )
    finally:
        engine.dispose()
    json.dump(report.as_dict(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
