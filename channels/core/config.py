"""Gateway settings. The only module in `channels/` that reads the environment.

Every setting can be given as an environment variable with the prefix `WEGWIJS_`
(`WEGWIJS_DATABASE_URL`, `WEGWIJS_RASA_TOKEN`, ...) or in a `.env` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER_SECRETS = frozenset({"", "changethis"})


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
    rasa_token: SecretStr = SecretStr("changethis")
    engine_timeout_s: float = 10.0
    engine_retries: int = 2

    secret_key: SecretStr = SecretStr("changethis")
    public_base_url: str = "http://127.0.0.1:8000"
    municipality: str = "voorbeeldstad"
    timezone: str = "Europe/Amsterdam"

    max_body_bytes: int = 1_048_576
    webchat_max_chars: int = 2000

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

    @property
    def public_base(self) -> str:
        """`public_base_url` without a trailing slash."""
        return self.public_base_url.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    return Settings()
