"""Every gateway setting is listed in .env.example with the WEGWIJS_ prefix."""

from pathlib import Path

from gateway.core.config import Settings

ENV_EXAMPLE = (Path(__file__).resolve().parents[1] / ".env.example").read_text(encoding="utf-8")


# WEGWIJS_ENV is deliberately not in .env.example: production is the default, and development is
# asked for explicitly (scripts/run, scripts/test, tests/conftest.py) - review finding 3.
NOT_IN_EXAMPLE = {"env"}


def test_every_setting_is_in_env_example():
    missing = [name for name in Settings.model_fields
               if name not in NOT_IN_EXAMPLE and f"WEGWIJS_{name.upper()}=" not in ENV_EXAMPLE]
    assert missing == []


def test_env_example_does_not_choose_the_environment():
    assert "WEGWIJS_ENV=" not in ENV_EXAMPLE
