#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 server for the storage and ledger tests, and prints its URL.
#
#   scripts/start-test-postgres.sh          # start (or reuse) the server; prints the URL
#   scripts/start-test-postgres.sh --stop   # stop it (the data stays in .pgdata)
#
#   export RECS_TEST_POSTGRES_URL="$(scripts/start-test-postgres.sh)"
#
# The cluster lives in $REPO/.pgdata (gitignored), listens on 127.0.0.1:55432 only, with trust
# authentication for loopback TCP and nothing else (no Unix socket), and is tuned for tests, not
# for durability (fsync off). Idempotent and non-interactive: if a server already answers on
# 127.0.0.1:55432 it is reused. Run as root, the server runs as the postgres user; run as another
# user, it runs as that user. Progress goes to stderr; stdout carries only the URL.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
DATA="$ROOT/.pgdata"
HOST=127.0.0.1
PORT=55432
DATABASE=recs_test
URL="postgresql://postgres@$HOST:$PORT/$DATABASE"

say() { echo "start-test-postgres.sh: $*" >&2; }
fail() { say "$*"; exit 1; }

[[ -x "$PGBIN/initdb" && -x "$PGBIN/pg_ctl" ]] || fail "PostgreSQL 15 not found in $PGBIN (apt-get install postgresql-15)"

# Runs a command as the cluster's owner: postgres when we are root, ourselves otherwise.
as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_up() { "$PGBIN/pg_isready" -q -h "$HOST" -p "$PORT" -t 2 >/dev/null 2>&1; }

psql_admin() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U postgres "$@"; }

if [[ "${1:-}" == "--stop" ]]; then
  if [[ -f "$DATA/postmaster.pid" ]]; then
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    say "stopped"
  else
    say "not running from $DATA"
  fi
  exit 0
fi
[[ $# -eq 0 ]] || fail "unknown argument $1 (use --stop or nothing)"

if ! is_up; then
  if [[ ! -s "$DATA/PG_VERSION" ]]; then
    rm -rf "$DATA"
    mkdir -p "$DATA"
    if [[ "$(id -u)" -eq 0 ]]; then
      id postgres >/dev/null 2>&1 || fail "there is no postgres user (apt-get install postgresql-15)"
      chown postgres:postgres "$DATA"
      runuser -u postgres -- test -x "$ROOT" || fail "the postgres user cannot reach $ROOT"
    fi
    chmod 700 "$DATA"
    say "initializing a test cluster in $DATA"
    as_owner "$PGBIN/initdb" -D "$DATA" -U postgres --auth=reject --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    # Loopback TCP only, trusted: a throwaway cluster for tests on this machine.
    printf '%s\n' \
      "# Written by scripts/start-test-postgres.sh: loopback only, trusted." \
      "host all all 127.0.0.1/32 trust" >"$DATA/pg_hba.conf"
    cat >>"$DATA/postgresql.conf" <<EOF

# Written by scripts/start-test-postgres.sh: a throwaway cluster for tests.
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = ''
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
EOF
    [[ "$(id -u)" -ne 0 ]] || chown postgres:postgres "$DATA/pg_hba.conf" "$DATA/postgresql.conf"
  fi
  say "starting the server on $HOST:$PORT"
  # The server outlives this script: it must not inherit our descriptors beyond stdio (a caller's
  # `flock /tmp/recs-build.lock ...` would otherwise stay locked for as long as PostgreSQL runs).
  as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- ||
    { tail -n 20 "$DATA/server.log" >&2 || true; fail "the server did not start"; }
fi

is_up || fail "no server answers on $HOST:$PORT"
if [[ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]]; then
  psql_admin -d postgres -c "CREATE DATABASE $DATABASE" >/dev/null
fi
# The ledger's EXCLUDE constraint needs btree_gist; its migration creates it too, but creating it
# here once lets tests run each in its own schema.
psql_admin -d "$DATABASE" -c "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public" >/dev/null 2>&1 ||
  psql_admin -d "$DATABASE" -tAc "SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'" | grep -q 1 ||
  fail "cannot create the btree_gist extension in $DATABASE"
echo "$URL"
