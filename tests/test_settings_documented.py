"""Every gateway setting is listed in .env.example with the WEGWIJS_ prefix."""

from pathlib import Path

from channels.core.config import Settings

ENV_EXAMPLE = (Path(__file__).resolve().parents[1] / ".env.example").read_text(encoding="utf-8")


def test_every_setting_is_in_env_example():
    missing = [name for name in Settings.model_fields if f"WEGWIJS_{name.upper()}=" not in ENV_EXAMPLE]
    assert missing == []
