#!/usr/bin/env bash
# Start the stack on SQLite defaults (one engine with the trained model that runs the custom actions
# itself, gateway on free localhost ports), run both load scenarios, print the numbers, stop everything.
#   bench/run.sh                       # 50 turns/s for 60 s, then 200 users x 10 turns
#   RATE=30 DURATION=30 bench/run.sh   # shorter/lighter while developing
#   PROFILE=1 bench/run.sh             # also py-spy the engine and the gateway (bench/profile/)
#   ENGINES=2 bench/run.sh             # two engines (PostgreSQL trackers + Redis locks, started here)
#   ACTION_SERVER=1 bench/run.sh       # the custom actions in a separate action server (HTTP)
#   GATEWAY_WORKERS=2 TRACKER_WAL=1 bench/run.sh   # tuning experiments
#   bench/run.sh --compare-patches     # engine turns with the engine patches, then on stock Rasa
#                                      # (WEGWIJS_ENGINE_PATCHES=none): p50/p95 of both and the ratio.
#                                      # CONVERSATIONS=20 (x6 turns each), PATCHES=-name to compare a
#                                      # subset, ACTION_SERVER=1 to use an action server in both runs
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
[[ -f bot/models/wegwijs.tar.gz ]] || { echo "no trained model: run scripts/train first" >&2; exit 1; }
if [[ "${1:-}" == "--compare-patches" ]]; then  # bench/engine_turns.py, twice: one engine, serial turns
  args=(--compare-patches --conversations "${CONVERSATIONS:-20}" ${ACTION_SERVER:+--action-server})
  [[ -n "${PATCHES:-}" ]] && args+=("--patches=$PATCHES")
  for kv in ${BENCH_ENV:-}; do args+=(--env "$kv"); done
  exec .venv-gateway/bin/python bench/engine_turns.py "${args[@]}"
fi
mkdir -p bench/out
args=(all --start-stack --rate "${RATE:-50}" --duration "${DURATION:-60}" --think "${THINK:-2}"
      --users "${USERS:-200}" --turns "${TURNS:-10}" --ramp "${RAMP:-20}"
      --gateway-workers "${GATEWAY_WORKERS:-1}" --engines "${ENGINES:-1}" ${TRACKER_WAL:+--tracker-wal} ${ACTION_SERVER:+--action-server} --json "bench/out/results-$(date +%Y%m%d-%H%M%S).json")
[[ -n "${PROFILE:-}" ]] && args+=(--profile bench/profile)
for kv in ${BENCH_ENV:-}; do args+=(--env "$kv"); done
exec .venv-gateway/bin/python bench/load.py "${args[@]}"
