#!/usr/bin/env bash
# Search benchmark: fills N ads (default 100000; pass 1000000 for the full run) into a fresh
# SQLite portal and a fresh PostgreSQL database (the same seed gives the same ads), times the
# index build, serves the portal, and runs benches/search.rs against it and the PostgreSQL
# full-text baseline. Prints figures for docs/PERFORMANCE.md.
#
#   scripts/bench.sh [ADS]        (needs PostgreSQL at $BENCH_PG_ADMIN, default local trust auth)
set -euo pipefail
cd "$(dirname "$0")/.."
ADS="${1:-100000}"
PG_ADMIN="${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="jobboard_bench_${ADS}"
WORK="$(mktemp -d /var/tmp/jobboard-bench.XXXXXX)"
PORT=8099
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --locked --quiet
BIN=target/release/jobboard
export JOBBOARD_MASTER_KEY=$(printf '5e%.0s' $(seq 1 32))
# PostgreSQL is production mode, which needs the data controller named in the policies.
export JOBBOARD_CONTROLLER_NAME="jobboard benchmark" JOBBOARD_CONTROLLER_ADDRESS="Benchmark" \
  JOBBOARD_CONTROLLER_CVR=10150817 JOBBOARD_CONTROLLER_EMAIL=bench@jobboard.localhost
COMPANIES=$(( ADS / 200 + 20 ))

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(date -u +%Y-%m-%d)"
echo "== filling $ADS ads (SQLite)"
/usr/bin/time -f "   demo data: %e s" env JOBBOARD_DATA_DIR="$WORK/data" RUST_LOG=warn \
  "$BIN" demo --ads "$ADS" --companies "$COMPANIES" --seekers 10 --seed 7 >/dev/null
echo "== building the search index"
/usr/bin/time -f "   index build: %e s, peak RSS %M KiB" env JOBBOARD_DATA_DIR="$WORK/data" RUST_LOG=warn "$BIN" reindex
echo "   index size on disk: $(du -sh "$WORK/data/search-index" | cut -f1)"

echo "== filling the same ads into PostgreSQL ($PG_DB)"
psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
PG_URL="${PG_ADMIN%/*}/$PG_DB"
env DATABASE_URL="$PG_URL" JOBBOARD_DATA_DIR="$WORK/pgdata" RUST_LOG=warn \
  "$BIN" demo --ads "$ADS" --companies "$COMPANIES" --seekers 10 --seed 7 >/dev/null

echo "== serving on 127.0.0.1:$PORT"
JOBBOARD_DATA_DIR="$WORK/data" JOBBOARD_ADDR="127.0.0.1:$PORT" JOBBOARD_API_RATE=0 RUST_LOG=warn "$BIN" serve &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

JOBBOARD_BENCH_URL="http://127.0.0.1:$PORT" JOBBOARD_BENCH_PG="$PG_URL" cargo bench --locked --quiet --bench search
echo
echo "   server RSS after the run: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$SERVER/status)"
psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
