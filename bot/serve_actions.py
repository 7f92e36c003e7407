"""Run the custom action server bound to 127.0.0.1 and protected by a token.

Usage (from bot/):  python serve_actions.py [--port 5055]

Rasa calls it with ``?token=<WEGWIJS_ACTIONS_TOKEN>`` (bot/endpoints.yml). Requests without the
right token get 401; /health stays open for monitoring. Host and token come from the environment
(WEGWIJS_ACTIONS_HOST, WEGWIJS_ACTIONS_TOKEN). Logging follows bot/logging.yml, the engine's
file: personal data is masked in every line (redaction/logs.py).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import logging.config
import os
from pathlib import Path

import yaml
from rasa_sdk.endpoint import create_app
from sanic import response

logger = logging.getLogger("wegwijs.actions")

KEEP_ALIVE_TIMEOUT_S = 30
LOGGING_CONFIG = Path(__file__).resolve().parent / "logging.yml"


def configure_logging(path: Path = LOGGING_CONFIG) -> None:
    """Apply the redacting logging configuration shared with the engine."""
    logging.config.dictConfig(yaml.safe_load(path.read_text(encoding="utf-8")))


def build_app(token: str):
    app = create_app("actions", cors_origins=None)
    # the engine keeps its connections to this server (addons.patches.KEEPALIVE_S, 4 s idle):
    # close an idle one much later, so the engine never sends on a connection being closed
    app.config.KEEP_ALIVE_TIMEOUT = KEEP_ALIVE_TIMEOUT_S

    @app.middleware("request")
    async def require_token(request):  # noqa: ANN001, ANN202
        if request.path == "/health":
            return None
        given = request.args.get("token", "")
        if not token or not hmac.compare_digest(given, token):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEGWIJS_ACTIONS_PORT", "5055")))
    parser.add_argument("--logging-config-file", type=Path, default=LOGGING_CONFIG)
    args = parser.parse_args()
    host = os.environ.get("WEGWIJS_ACTIONS_HOST", "127.0.0.1")
    token = os.environ.get("WEGWIJS_ACTIONS_TOKEN", "")
    if not token:
        raise SystemExit("WEGWIJS_ACTIONS_TOKEN is not set")
    configure_logging(args.logging_config_file)
    logger.info("action server on %s:%s", host, args.port)
    build_app(token).run(host, args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
