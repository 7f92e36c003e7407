"""Every test runs with WEGWIJS_ENV=development set explicitly, as scripts/run and scripts/test do:
the gateway's settings default to production (review finding 3), whose checks need real secrets
and an https URL. Tests of production behaviour pass `env="production"` or unset the variable."""

from __future__ import annotations

import os

os.environ.setdefault("WEGWIJS_ENV", "development")
