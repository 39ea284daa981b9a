#!/usr/bin/env bash
# Builds and runs the system on one machine: the registry, transfer, issuance and reporting
# services as four processes, each with its own SQLite database under the data directory, calling
# each other over gRPC with mutual TLS on loopback. Prints where each listens and how to call them
# with `recs`; Ctrl-C or SIGTERM stops all four gracefully.
#
# TLS: the first run makes a deployment CA and one certificate per service in $RECS_DATA_DIR/tls
# (scripts/make-deployment-certs.sh; later runs reuse them) and gives every service
# RECS_TLS_DIR=$RECS_DATA_DIR/tls. `recs` needs the CA: RECS_CA=$RECS_DATA_DIR/tls/ca.pem.
#
#   scripts/run.sh                       # release build, data in ./data, ports 50061-50064
#   RECS_DATA_DIR=/tmp/recs scripts/run.sh
#   RECS_REGISTRY_PORT=6061 RECS_ISSUANCE_PORT=6062 RECS_TRANSFER_PORT=6063 RECS_REPORTING_PORT=6064 scripts/run.sh
#
# RECS_RUN_BUILD=none uses the executables already in RECS_BIN (default .build/release) without
# set-up or build (the tests run it that way on their debug build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export RECS_DATA_DIR="${RECS_DATA_DIR:-$ROOT/data}"
export RECS_REGISTRY_PORT="${RECS_REGISTRY_PORT:-50061}"
export RECS_ISSUANCE_PORT="${RECS_ISSUANCE_PORT:-50062}"
export RECS_TRANSFER_PORT="${RECS_TRANSFER_PORT:-50063}"
export RECS_REPORTING_PORT="${RECS_REPORTING_PORT:-50064}"
# Where each service finds the others (and where `recs` finds them).
export RECS_REGISTRY_ADDRESS="127.0.0.1:$RECS_REGISTRY_PORT"
export RECS_ISSUANCE_ADDRESS="127.0.0.1:$RECS_ISSUANCE_PORT"
export RECS_TRANSFER_ADDRESS="127.0.0.1:$RECS_TRANSFER_PORT"
export RECS_REPORTING_ADDRESS="127.0.0.1:$RECS_REPORTING_PORT"
BIN="${RECS_BIN:-$ROOT/.build/release}"
LOGS="$RECS_DATA_DIR/logs"

if [[ "${RECS_RUN_BUILD:-release}" != none ]]; then
  scripts/setup.sh
  echo "run.sh: building the services (release; the first build takes several minutes)" >&2
  for product in registry transfer issuance reporting recs; do
    swift build -c release --product "$product"
  done
fi
for product in registry transfer issuance reporting; do
  [[ -x "$BIN/$product" ]] || { echo "run.sh: $BIN/$product is not built" >&2; exit 1; }
done
mkdir -p "$LOGS"

# Every service serves TLS with its certificate from here, and calls its peers with it.
scripts/make-deployment-certs.sh "$RECS_DATA_DIR/tls"
export RECS_TLS_DIR="$RECS_DATA_DIR/tls"
export RECS_CA="$RECS_TLS_DIR/ca.pem"

PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  local status=0
  for pid in "${PIDS[@]}"; do wait "$pid" || status=$?; done
  return $status
}
trap 'echo "run.sh: stopping" >&2; stop_all; exit $?' INT TERM

# Starts a service and waits for its "<name> listening on <port>" line.
start() {
  local name="$1"
  "$BIN/$name" >"$LOGS/$name.out" 2>"$LOGS/$name.log" &
  PIDS+=("$!")
  local pid=$!
  for _ in $(seq 1 600); do
    if grep -q "^$name listening on " "$LOGS/$name.out" 2>/dev/null; then
      echo "$name listening on 127.0.0.1:$(sed -n "s/^$name listening on //p" "$LOGS/$name.out" | head -1)  (log: $LOGS/$name.log)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: $name exited during start-up:" >&2
      tail -n 20 "$LOGS/$name.log" >&2
      stop_all || true
      exit 1
    fi
    sleep 0.1
  done
  echo "run.sh: $name did not start within 60 s" >&2
  stop_all || true
  exit 1
}

# In the order they call each other: transfer follows the registry's feed; issuance calls both;
# reporting follows all three.
start registry
start transfer
start issuance
start reporting
echo "all four services are up on SQLite in $RECS_DATA_DIR; try: RECS_CA=$RECS_CA $BIN/recs health   (Ctrl-C stops them)"
echo "the registry administrator's API key is in $RECS_DATA_DIR/admin-api-key (made on the first start, readable by you only)"
printf 'to call them with recs: export RECS_CA=%q RECS_API_KEY_FILE=%q\n' "$RECS_CA" "$RECS_DATA_DIR/admin-api-key"

# If one service dies, stop the others and fail.
set +e
wait -n "${PIDS[@]}"
status=$?
echo "run.sh: a service exited (status $status); stopping the others" >&2
stop_all
exit 1
