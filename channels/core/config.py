"""Gateway settings. The only module in `channels/` that reads the environment.

Every setting can be given as an environment variable with the prefix `WEGWIJS_`
(`WEGWIJS_DATABASE_URL`, `WEGWIJS_RASA_TOKEN`, ...) or in a `.env` file.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER_SECRETS = frozenset({"", "changethis"})
TELEGRAM_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WEGWIJS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"

    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'wegwijs.db'}"

    rasa_url: str = "http://127.0.0.1:5005"
    # Several engines (comma-separated base URLs) sharing trackers (SQL) and locks (Redis):
    # conversations are spread over them by rendezvous hashing, with failover. Empty = [rasa_url].
    rasa_urls: str = ""
    engine_down_cooldown_s: float = 5.0  # an engine that refused a connection is tried last this long
    rasa_token: SecretStr = SecretStr("changethis")
    engine_timeout_s: float = 10.0
    engine_retries: int = 2

    secret_key: SecretStr = SecretStr("changethis")
    public_base_url: str = "http://127.0.0.1:8000"
    municipality: str = "voorbeeldstad"
    timezone: str = "Europe/Amsterdam"

    max_body_bytes: int = 1_048_576
    webchat_max_chars: int = 2000

    # Messaging channels (Telegram, WhatsApp). A channel is off until its secrets are set.
    channel_rate_limit_per_minute: int = 20
    redis_url: str | None = None

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_mode: Literal["webhook", "polling"] = "webhook"
    telegram_set_webhook: bool = True
    telegram_api_base_url: str = "https://api.telegram.org"

    whatsapp_access_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v23.0"
    whatsapp_template_name: str = "wegwijs_reply_waiting"
    whatsapp_notice_template_name: str = "wegwijs_message_waiting"
    whatsapp_template_language: str = "nl"

    # Handoff inbox (inbox/): consultant sessions, notifications of new tickets, statistics.
    inbox_session_hours: int = 8
    handoff_webhook_url: str | None = None  # POST {"event", "ticket_id", "reason", "language", "url"}
    handoff_webhook_secret: SecretStr | None = None  # signs the body: X-Wegwijs-Signature: sha256=<hmac>
    smtp_host: str | None = None  # e-mail on a new ticket when set together with smtp_to
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_from: str = "wegwijs@localhost"
    smtp_to: str = ""  # comma-separated addresses
    tracker_url: str | None = None  # Rasa's SQL tracker store, read for /inbox/stats

    # Privacy and reminders (channels/privacy, channels/reminders). Rasa's tracker store is
    # `tracker_url` (a SQLAlchemy URL), also used to delete a user's tracker and by retention.
    retention_days: int = 90  # conversations, tickets, reminders and tracker events idle longer are deleted
    scheduler_enabled: bool = True  # reminder sending and the nightly retention job inside the gateway
    retention_hour: int = 3  # local hour of the nightly retention job
    reminder_interval_s: int = 60
    reminder_hour: int = 9  # reminders go out at this local hour
    reminder_max_attempts: int = 5

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env == "development":
            return self
        for name in ("rasa_token", "secret_key"):
            value: SecretStr = getattr(self, name)
            if value.get_secret_value().strip() in PLACEHOLDER_SECRETS:
                raise ValueError(
                    f"WEGWIJS_{name.upper()} is empty or a placeholder ('changethis'); "
                    f"set a real secret when WEGWIJS_ENV={self.env}"
                )
        return self

    @model_validator(mode="after")
    def _check_channel_settings(self) -> Settings:
        if self.telegram_bot_token is not None and self.telegram_mode == "webhook":
            secret = self.telegram_webhook_secret
            if secret is None or not TELEGRAM_SECRET_TOKEN.fullmatch(secret.get_secret_value()):
                raise ValueError(
                    "WEGWIJS_TELEGRAM_WEBHOOK_SECRET must be set (1-256 characters A-Z a-z 0-9 _ -) "
                    "when Telegram runs in webhook mode"
                )
        whatsapp = [self.whatsapp_access_token, self.whatsapp_app_secret, self.whatsapp_verify_token,
                    self.whatsapp_phone_number_id]
        if any(v is not None for v in whatsapp) and not all(v is not None for v in whatsapp):
            raise ValueError(
                "WhatsApp needs all of WEGWIJS_WHATSAPP_ACCESS_TOKEN, _APP_SECRET, _VERIFY_TOKEN "
                "and _PHONE_NUMBER_ID (or none of them)"
            )
        if self.env != "development":
            for name in ("telegram_bot_token", "telegram_webhook_secret", "whatsapp_access_token",
                         "whatsapp_app_secret", "whatsapp_verify_token"):
                value: SecretStr | None = getattr(self, name)
                if value is not None and value.get_secret_value().strip() in PLACEHOLDER_SECRETS:
                    raise ValueError(f"WEGWIJS_{name.upper()} is a placeholder; set a real secret")
        return self

    @property
    def whatsapp_enabled(self) -> bool:
        return self.whatsapp_access_token is not None and bool(self.whatsapp_phone_number_id)

    @property
    def rasa_tracker_url(self) -> str | None:
        """SQLAlchemy URL of Rasa's SQL tracker store, or None when not configured."""
        return self.tracker_url if self.tracker_url and "://" in self.tracker_url else None

    @property
    def engine_urls(self) -> list[str]:
        """The engines' base URLs: `rasa_urls` split on commas, or `[rasa_url]`."""
        from channels.core.routing import parse_urls

        return parse_urls(self.rasa_urls, self.rasa_url)

    @property
    def public_base(self) -> str:
        """`public_base_url` without a trailing slash."""
        return self.public_base_url.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    return Settings()
