"""Settings: defaults, environment prefix, and refusal of placeholder secrets outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from channels.core.config import Settings


def test_development_runs_on_embedded_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.env == "development"
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "/var/wegwijs.db"
    )
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert settings.municipality == "voorbeeldstad"


@pytest.mark.parametrize("name", ["rasa_token", "secret_key"])
@pytest.mark.parametrize("value", ["changethis", "", "  "])
def test_production_refuses_a_placeholder_secret(name: str, value: str) -> None:
    good = {"rasa_token": "a-real-token", "secret_key": "a-real-key"}
    good[name] = value
    with pytest.raises(ValidationError, match=name.upper()):
        Settings(_env_file=None, env="production", **good)


def test_production_accepts_real_secrets() -> None:
    settings = Settings(_env_file=None, env="production", rasa_token="t0ken", secret_key="k3y")
    assert settings.rasa_token.get_secret_value() == "t0ken"


def test_settings_are_read_from_prefixed_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJS_RASA_URL", "http://engine:5005")
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", "postgresql+psycopg://wegwijs:pw@db/wegwijs")
    monkeypatch.setenv("WEGWIJS_ENGINE_RETRIES", "5")
    settings = Settings(_env_file=None)
    assert settings.rasa_url == "http://engine:5005"
    assert settings.database_url == "postgresql+psycopg://wegwijs:pw@db/wegwijs"
    assert settings.engine_retries == 5


def test_secrets_are_not_shown_in_the_settings_repr() -> None:
    settings = Settings(_env_file=None, rasa_token="very-secret-token")
    assert "very-secret-token" not in repr(settings)
