"""Settings: defaults, environment prefix, and refusal of placeholder secrets outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.core.config import Settings

STRONG = "x7Rk2pQ9vL4mN8sT1wZ6yB3cD5fG0hJq"  # 32 characters, no placeholder word
PRODUCTION = {
    "env": "production", "rasa_token": STRONG, "secret_key": STRONG[::-1],
    "public_base_url": "https://wegwijs.voorbeeldstad.nl", "tracker_url": "postgresql+psycopg://gw:pw-9f3k@db/trackers",
}


def test_development_runs_on_embedded_defaults() -> None:
    settings = Settings(_env_file=None, env="development")
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
    good = dict(PRODUCTION)
    good[name] = value
    with pytest.raises(ValidationError, match=name.upper()):
        Settings(_env_file=None, **good)


def test_production_accepts_real_secrets() -> None:
    settings = Settings(_env_file=None, **PRODUCTION)
    assert settings.rasa_token.get_secret_value() == STRONG


# -- review finding 3: the production check fails closed --------------------------------------
def test_production_is_the_default_when_nothing_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEGWIJS_ENV", raising=False)
    with pytest.raises(ValidationError, match="WEGWIJS_ENV=production"):
        Settings(_env_file=None)  # the embedded defaults are placeholders: refused
    assert Settings(_env_file=None, **{k: v for k, v in PRODUCTION.items() if k != "env"}).env == "production"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("rasa_token", "x", "RASA_TOKEN is shorter than 32"),
    ("secret_key", "k3y-k3y-k3y", "SECRET_KEY is shorter than 32"),
    ("actions_token", "changethis-actions", "ACTIONS_TOKEN is empty or a placeholder"),
    ("secret_key", "changethis-" + STRONG, "SECRET_KEY is empty or a placeholder"),
    ("handoff_webhook_secret", "secret", "HANDOFF_WEBHOOK_SECRET is empty or a placeholder"),
    ("public_base_url", "http://wegwijs.voorbeeldstad.nl", "PUBLIC_BASE_URL must be an https"),
    ("database_url", "postgresql+psycopg://wegwijs:changethis@db/wegwijs", "DATABASE_URL has a placeholder"),
    ("smtp_password", "changeme", "SMTP_PASSWORD is a placeholder"),
])
def test_production_refuses_short_secrets_placeholders_anywhere_and_http(name: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, **{**PRODUCTION, name: value})


def test_production_refuses_a_plain_http_or_unsigned_handoff_webhook() -> None:
    with pytest.raises(ValidationError, match="HANDOFF_WEBHOOK_URL must be an https"):
        Settings(_env_file=None, **PRODUCTION, handoff_webhook_url="http://hooks.internal/x",
                 handoff_webhook_secret=STRONG)
    for env in ("development", "production"):  # always signed: a URL needs a secret
        with pytest.raises(ValidationError, match="HANDOFF_WEBHOOK_SECRET must be set"):
            Settings(_env_file=None, **{**PRODUCTION, "env": env}, handoff_webhook_url="https://hooks.internal/x")


def test_an_empty_line_in_env_is_not_set(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("WEGWIJS_ENV=development\nWEGWIJS_TELEGRAM_BOT_TOKEN=\nWEGWIJS_HANDOFF_WEBHOOK_URL=\n")
    settings = Settings(_env_file=env_file)
    assert settings.telegram_bot_token is None and settings.handoff_webhook_url is None


@pytest.mark.parametrize("env", ["development", "production"])
def test_an_empty_whatsapp_app_secret_is_refused_in_every_environment(env: str) -> None:
    with pytest.raises(ValidationError, match="APP_SECRET"):
        Settings(_env_file=None, **{**PRODUCTION, "env": env}, whatsapp_access_token=STRONG * 2,
                 whatsapp_app_secret="", whatsapp_verify_token=STRONG, whatsapp_phone_number_id="1065")


# -- review finding 1: one tracker location for the engine and the gateway --------------------
def test_the_tracker_location_is_absolute_and_the_same_as_the_engines() -> None:
    from gateway.core.config import REPO_ROOT

    expected = f"sqlite:///{REPO_ROOT / 'var' / 'trackers.db'}"
    # the engine's setting (bot/endpoints.yml reads it; bot/addons/stores.py resolves it the same way)
    assert Settings(_env_file=None, env="development", engine_tracker_db="var/trackers.db").rasa_tracker_url == expected
    # a relative gateway URL means the repository's file, not one under the working directory
    assert Settings(_env_file=None, env="development", tracker_url="sqlite:///var/trackers.db").rasa_tracker_url == expected
    pg = Settings(_env_file=None, env="development", engine_tracker_dialect="postgresql",
                  engine_tracker_url="postgresql://e:pw@db/trackers")
    assert pg.rasa_tracker_url == "postgresql+psycopg://e:pw@db/trackers"


def test_production_refuses_to_start_without_a_tracker_store() -> None:
    without = {k: v for k, v in PRODUCTION.items() if k != "tracker_url"}
    with pytest.raises(ValidationError, match="tracker store is not configured"):
        Settings(_env_file=None, **without)
    assert Settings(_env_file=None, **without, engine_tracker_db="/srv/wegwijs/trackers.db").rasa_tracker_url


def test_settings_are_read_from_prefixed_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJS_RASA_URL", "http://engine:5005")
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", "postgresql+psycopg://wegwijs:pw@db/wegwijs")
    monkeypatch.setenv("WEGWIJS_ENGINE_RETRIES", "5")
    settings = Settings(_env_file=None, env="development")
    assert settings.rasa_url == "http://engine:5005"
    assert settings.database_url == "postgresql+psycopg://wegwijs:pw@db/wegwijs"
    assert settings.engine_retries == 5


def test_secrets_are_not_shown_in_the_settings_repr() -> None:
    settings = Settings(_env_file=None, rasa_token="very-secret-token")
    assert "very-secret-token" not in repr(settings)
