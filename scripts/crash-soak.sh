#!/usr/bin/env bash
# The crash test of issue 8 (Tests/CrashTests) for longer than CI runs it: issuance killed in the
# middle of a cycle, then 16 clients against a transfer service killed with SIGKILL every 2-4 s for
# SECONDS seconds, on SQLite and (with RECS_TEST_POSTGRES_URL, or when the test PostgreSQL can be
# started) on PostgreSQL; then the conservation, exactly-once and replay checks. Not part of CI.
#
#   scripts/crash-soak.sh 600                  # ten minutes of killing per database
#   RECS_CRASH_SEED=42 scripts/crash-soak.sh 300   # the same clients' choices as an earlier run
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_OF_KILLING="${1:?usage: scripts/crash-soak.sh SECONDS}"
[[ "$SECONDS_OF_KILLING" =~ ^[0-9]+$ ]] || { echo "SECONDS must be a whole number" >&2; exit 2; }

if [[ -z "${RECS_TEST_POSTGRES_URL:-}" ]]; then
  RECS_TEST_POSTGRES_URL="$(scripts/start-test-postgres.sh 2>/dev/null | tail -1 || true)"
fi
export RECS_TEST_POSTGRES_URL RECS_CRASH_SECONDS="$SECONDS_OF_KILLING"

swift build --build-tests
swift test --skip-build --filter 'CrashTests.CrashTests'
