"""Gateway settings. The only module in `channels/` that reads the environment.

Every setting can be given as an environment variable with the prefix `WEGWIJS_`
(`WEGWIJS_DATABASE_URL`, `WEGWIJS_RASA_TOKEN`, ...) or in a `.env` file.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
# Values that are never a real secret (compared lower-case, stripped), and words that mark one
# as a placeholder wherever they occur in it ("changethis-actions", "my-changeme-key").
PLACEHOLDER_SECRETS = frozenset({
    "", "changethis", "changethis-actions", "changeme", "change-me", "secret", "password", "passwd",
    "token", "test", "example", "xxx", "todo", "none", "null", "default", "admin",
})
PLACEHOLDER_MARKERS = ("changethis", "changeme", "change-me", "replace-me", "replaceme", "placeholder")
# Every secret and token the gateway checks holds at least 32 random bytes' worth of characters
# (`python -c "import secrets; print(secrets.token_urlsafe(32))"` gives 43).
MIN_SECRET_CHARS = 32
TELEGRAM_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Secrets that must be long and random in production (when set); `rasa_token` and `secret_key`
# must also be set. `smtp_password` is the mail provider's: only placeholders are refused.
STRONG_SECRETS = ("rasa_token", "secret_key", "actions_token", "telegram_bot_token",
                  "telegram_webhook_secret", "whatsapp_access_token", "whatsapp_app_secret",
                  "whatsapp_verify_token", "handoff_webhook_secret")
REQUIRED_SECRETS = ("rasa_token", "secret_key")
# URLs that may carry a password (user:password@host).
URLS_WITH_PASSWORDS = ("database_url", "tracker_url", "redis_url", "engine_tracker_url")
# Optional settings: an empty line in .env (`WEGWIJS_TELEGRAM_BOT_TOKEN=`) means "not set".
OPTIONAL_SETTINGS = (
    "redis_url", "telegram_bot_token", "telegram_webhook_secret", "whatsapp_access_token",
    "whatsapp_app_secret", "whatsapp_verify_token", "whatsapp_phone_number_id", "handoff_webhook_url",
    "handoff_webhook_secret", "smtp_host", "smtp_user", "smtp_password", "tracker_url", "actions_token",
    "engine_tracker_url", "engine_tracker_db", "client_ip_header",
    "telegram_municipality",
)


def is_placeholder(value: str) -> bool:
    """True for an empty value, a known placeholder, or one containing a placeholder word."""
    folded = value.strip().lower()
    return folded in PLACEHOLDER_SECRETS or any(marker in folded for marker in PLACEHOLDER_MARKERS)


def sqlite_url(path: str) -> str:
    """A SQLAlchemy SQLite URL for `path`; a relative path is taken from the repository root
    (where the engine's tracker store resolves it too: bot/addons/stores.py)."""
    file = Path(path).expanduser()
    return f"sqlite:///{file if file.is_absolute() else REPO_ROOT / file}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WEGWIJS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Production unless development is asked for explicitly (scripts/run, scripts/test, tests):
    # a deployment that forgets the setting gets the strict checks, not the embedded defaults.
    env: Literal["development", "production"] = "production"
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
    # The default municipality (a file stem in knowledge/municipalities/): the web chat at / and
    # /chat, and shared channels unless `ask_municipality`. Every file there is served
    # (/chat/<slug>, its WhatsApp number, its Telegram bot): gateway/core/tenancy.py.
    municipality: str = "voorbeeldstad"
    # A WhatsApp number or Telegram bot of no municipality (shared): ask the user "In welke
    # gemeente woont u?" once (true) or give the conversation the default municipality (false).
    ask_municipality: bool = False
    # The municipality of the configured Telegram bot, when no municipality names the bot in
    # `kanalen.telegram_bot` (its username). Unset: the bot is shared (see ask_municipality).
    telegram_municipality: str | None = None
    timezone: str = "Europe/Amsterdam"

    max_body_bytes: int = 1_048_576
    webchat_max_chars: int = 2000
    # Web chat limits (POST /webchat/api/messages), per minute: per client address and per session
    # id. Behind a reverse proxy the client address is read from `client_ip_header` only (the
    # header your proxy sets, e.g. X-Forwarded-For: its last address); unset: the TCP peer.
    webchat_rate_limit_per_minute: int = 20
    webchat_ip_rate_limit_per_minute: int = 60
    client_ip_header: str | None = None

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
    # Languages (Wegwijs codes, comma-separated) in which both templates were approved, with the
    # same name; the template language code per language is `whatsapp_code` in
    # knowledge/languages.yml (pt -> pt_BR). Others get `whatsapp_template_language`.
    whatsapp_template_languages: str = "nl,en"

    # How long a timeline/calendar link in a deadline answer works (gateway/media).
    media_link_days: int = 30

    # Handoff inbox (inbox/): consultant sessions, notifications of new tickets, statistics.
    inbox_session_hours: int = 8
    inbox_idle_minutes: int = 30  # an inbox session without activity (page, form, API call) ends
    # Login back-off: after this many wrong passwords or TOTP codes for one account (or from one
    # client address) logging in waits 1 minute, doubling with every further failure up to
    # `inbox_login_lockout_minutes`. Counts are forgotten after an hour without failures.
    inbox_login_max_failures: int = 5
    inbox_login_ip_max_failures: int = 20
    inbox_login_lockout_minutes: int = 15
    # Abuse limits: tickets one conversation may open per hour, and ticket notifications per hour.
    handoff_max_tickets_per_conversation_per_hour: int = 3
    handoff_max_notifications_per_hour: int = 30
    handoff_webhook_url: str | None = None  # POST {"event", "ticket_id", "reason", "language", "url"}
    handoff_webhook_secret: SecretStr | None = None  # signs the body: X-Wegwijs-Signature: sha256=<hmac>
    smtp_host: str | None = None  # e-mail on a new ticket when set together with smtp_to
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_from: str = "wegwijs@localhost"
    smtp_to: str = ""  # comma-separated addresses
    # Rasa's SQL tracker store as a SQLAlchemy URL: /inbox/stats, "delete my data", retention.
    # Unset: derived from the engine's own settings below (one location for both processes).
    tracker_url: str | None = None
    # The engine's tracker store settings (bot/endpoints.yml reads the same variables). A relative
    # SQLite path is taken from the repository root by the engine and the gateway alike.
    engine_tracker_dialect: str = "sqlite"
    engine_tracker_db: str | None = None
    engine_tracker_url: str | None = None
    # The engine -> action server token (bot/endpoints.yml); checked here so that one .env with a
    # placeholder cannot go to production.
    actions_token: SecretStr | None = None

    # Privacy and reminders (gateway/privacy, gateway/reminders). Rasa's tracker store is
    # `tracker_url` (a SQLAlchemy URL), also used to delete a user's tracker and by retention.
    retention_days: int = 90  # conversations, tickets, reminders and tracker events idle longer are deleted
    scheduler_enabled: bool = True  # reminder sending and the nightly retention job inside the gateway
    retention_hour: int = 3  # local hour of the nightly retention job
    reminder_interval_s: int = 60
    reminder_hour: int = 9  # reminders go out at this local hour
    reminder_max_attempts: int = 5
    # News per municipality (gateway/news): pace of delivery, the scheduler's interval, retries.
    news_messages_per_second: float = 5.0
    news_interval_s: int = 30
    news_max_attempts: int = 3
    # Check-ins (gateway/checkins): every this many weeks a person who opted in is asked how learning
    # goes (a municipality may set its own `checkin_interval_weeks` in knowledge/municipalities/).
    checkin_interval_weeks: int = 12

    @field_validator(*OPTIONAL_SETTINGS, mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        """In production: long random secrets, no placeholder anywhere, https, a tracker store.
        Every problem is listed in one error, so one start-up shows all of them."""
        if self.env == "development":
            return self
        problems: list[str] = []
        for name in STRONG_SECRETS:
            value: SecretStr | None = getattr(self, name)
            if value is None:
                if name in REQUIRED_SECRETS:
                    problems.append(f"WEGWIJS_{name.upper()} is not set")
                continue
            secret = value.get_secret_value().strip()
            if is_placeholder(secret):
                problems.append(f"WEGWIJS_{name.upper()} is empty or a placeholder (e.g. 'changethis')")
            elif len(secret) < MIN_SECRET_CHARS:
                problems.append(f"WEGWIJS_{name.upper()} is shorter than {MIN_SECRET_CHARS} characters")
        if self.smtp_password is not None and is_placeholder(self.smtp_password.get_secret_value()):
            problems.append("WEGWIJS_SMTP_PASSWORD is a placeholder")
        for name in URLS_WITH_PASSWORDS:
            url = getattr(self, name)
            password = _url_password(url) if url else None
            if password is not None and is_placeholder(password):
                problems.append(f"WEGWIJS_{name.upper()} has a placeholder password")
        if not self.public_base_url.lower().startswith("https://"):
            problems.append("WEGWIJS_PUBLIC_BASE_URL must be an https:// URL (cookies are Secure only then)")
        if self.handoff_webhook_url and not self.handoff_webhook_url.lower().startswith("https://"):
            problems.append("WEGWIJS_HANDOFF_WEBHOOK_URL must be an https:// URL")
        if self.rasa_tracker_url is None:
            problems.append(
                "the tracker store is not configured (WEGWIJS_TRACKER_URL, or WEGWIJS_ENGINE_TRACKER_DB / "
                "WEGWIJS_ENGINE_TRACKER_URL): 'delete my data' and retention could not reach the conversations"
            )
        if problems:
            raise ValueError(
                f"unsafe settings for WEGWIJS_ENV={self.env} (set WEGWIJS_ENV=development only on a "
                "developer's machine): " + "; ".join(problems)
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
                "and _PHONE_NUMBER_ID (or none of them); WEGWIJS_WHATSAPP_APP_SECRET may not be empty"
            )
        if self.handoff_webhook_url and self.handoff_webhook_secret is None:
            raise ValueError(
                "WEGWIJS_HANDOFF_WEBHOOK_SECRET must be set when WEGWIJS_HANDOFF_WEBHOOK_URL is: "
                "every notification is signed"
            )
        return self

    @property
    def whatsapp_enabled(self) -> bool:
        return self.whatsapp_access_token is not None and bool(self.whatsapp_phone_number_id)

    @property
    def rasa_tracker_url(self) -> str | None:
        """SQLAlchemy URL of Rasa's SQL tracker store (absolute), or None when not configured.

        `tracker_url` when set (a relative SQLite path is taken from the repository root), else
        derived from the engine's settings: `engine_tracker_url` when it is a complete URL
        (PostgreSQL), or the SQLite file `engine_tracker_db`. In development, without any of
        them, `var/trackers.db` in the repository (what scripts/run gives the engine).
        """
        if self.tracker_url and "://" in self.tracker_url:
            return _absolute_sqlite(self.tracker_url)
        dialect = (self.engine_tracker_dialect or "sqlite").strip().lower()
        if dialect == "sqlite":
            if self.engine_tracker_db:
                return sqlite_url(self.engine_tracker_db)
            return sqlite_url("var/trackers.db") if self.env == "development" else None
        if self.engine_tracker_url and "://" in self.engine_tracker_url:
            url = self.engine_tracker_url
            for prefix in ("postgresql://", "postgres://"):  # Rasa's SQLAlchemy 1.4 URL -> psycopg 3
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix):]
            return url
        return None

    @property
    def engine_urls(self) -> list[str]:
        """The engines' base URLs: `rasa_urls` split on commas, or `[rasa_url]`."""
        from gateway.core.routing import parse_urls

        return parse_urls(self.rasa_urls, self.rasa_url)

    @property
    def public_base(self) -> str:
        """`public_base_url` without a trailing slash."""
        return self.public_base_url.rstrip("/")


def _url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def _absolute_sqlite(url: str) -> str:
    """`sqlite:///var/trackers.db` (relative to the working directory) -> the file in the repository."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url[len(prefix):] not in ("", ":memory:"):
        return sqlite_url(url[len(prefix):])
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
