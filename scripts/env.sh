# Embedded defaults for running Wegwijs on one machine (sourced by scripts/run, scripts/test).
# Every value can be overridden from the environment or a .env file (see .env.example).
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
[[ -f "$ROOT/.env" ]] && set -a && . "$ROOT/.env" && set +a
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-3}
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore::DeprecationWarning}
export WEGWIJS_ENV=${WEGWIJS_ENV:-development}
export WEGWIJS_MUNICIPALITY=${WEGWIJS_MUNICIPALITY:-voorbeeldstad}
# engine (Rasa) and action server, both on localhost only, both behind a token.
# WEGWIJS_ACTIONS_MODULE=actions runs the custom actions inside the engine (no action server
# process); set it empty to run bot/serve_actions.py and call it at WEGWIJS_ACTIONS_URL.
export WEGWIJS_ACTIONS_MODULE=${WEGWIJS_ACTIONS_MODULE-actions}
export WEGWIJS_RASA_PORT=${WEGWIJS_RASA_PORT:-5005}
export WEGWIJS_RASA_URL=${WEGWIJS_RASA_URL:-http://127.0.0.1:$WEGWIJS_RASA_PORT}
export WEGWIJS_RASA_TOKEN=${WEGWIJS_RASA_TOKEN:-changethis}
export WEGWIJS_ACTIONS_PORT=${WEGWIJS_ACTIONS_PORT:-5055}
export WEGWIJS_ACTIONS_URL=${WEGWIJS_ACTIONS_URL:-http://127.0.0.1:$WEGWIJS_ACTIONS_PORT/webhook}
export WEGWIJS_ACTIONS_TOKEN=${WEGWIJS_ACTIONS_TOKEN:-changethis-actions}
# trackers: SQLite file by default; PostgreSQL: dialect postgresql + a full URL
export WEGWIJS_ENGINE_TRACKER_DIALECT=${WEGWIJS_ENGINE_TRACKER_DIALECT:-sqlite}
export WEGWIJS_ENGINE_TRACKER_DB=${WEGWIJS_ENGINE_TRACKER_DB:-$ROOT/var/trackers.db}
export WEGWIJS_ENGINE_TRACKER_URL=${WEGWIJS_ENGINE_TRACKER_URL:-}
export WEGWIJS_ENGINE_LOCK_STORE=${WEGWIJS_ENGINE_LOCK_STORE:-in_memory}
export WEGWIJS_ENGINE_REDIS_HOST=${WEGWIJS_ENGINE_REDIS_HOST:-127.0.0.1}
export WEGWIJS_ENGINE_REDIS_PORT=${WEGWIJS_ENGINE_REDIS_PORT:-6379}
export WEGWIJS_ENGINE_REDIS_DB=${WEGWIJS_ENGINE_REDIS_DB:-1}
export WEGWIJS_ENGINE_REDIS_PASSWORD=${WEGWIJS_ENGINE_REDIS_PASSWORD:-}
# gateway (web chat, inbox, deadline API, Telegram/WhatsApp webhooks)
export WEGWIJS_PORT=${WEGWIJS_PORT:-8000}
export WEGWIJS_DATABASE_URL=${WEGWIJS_DATABASE_URL:-sqlite:///$ROOT/var/wegwijs.db}
export WEGWIJS_SECRET_KEY=${WEGWIJS_SECRET_KEY:-changethis}
export WEGWIJS_TRACKER_URL=${WEGWIJS_TRACKER_URL:-sqlite:///$ROOT/var/trackers.db}
