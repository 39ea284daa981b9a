#!/usr/bin/env bash
# Runs every test of the repository on a fresh Debian 12 machine: installs what is missing, checks
# the generated code and that built methods' messages are compatible with Protos/baseline, builds
# with warnings as errors, runs the Swift tests, the gRPC interop suite against grpcio in both
# directions (cleartext and TLS), and a short fuzz run.
#
#   scripts/test.sh            # everything
#   FUZZ_SECONDS=0 scripts/test.sh   # skip the fuzz run
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The whole fuzz run, split over the wire and domain targets (scripts/fuzz.sh).
FUZZ_SECONDS="${FUZZ_SECONDS:-120}"

step() { printf '\n==> %s\n' "$*"; }

step "set-up (Debian packages, .venv with grpcio)"
scripts/setup.sh

step "generated code is up to date"
scripts/check-generated.sh

step "protos compatible with the committed baseline"
scripts/check-descriptors.sh

step "build, warnings as errors"
export RECS_STRICT=1
swift build --build-tests

step "PostgreSQL on loopback for the storage contract tests"
RECS_TEST_POSTGRES_URL="$(scripts/start-test-postgres.sh)"
export RECS_TEST_POSTGRES_URL
echo "$RECS_TEST_POSTGRES_URL"

step "Swift tests (domain, wire, messages, RPC runtime and limits, storage and ledger on SQLite and PostgreSQL)"
swift test --skip-build

step "gRPC interop against grpcio (both directions, cleartext and TLS), health, reflection, mutual TLS"
INTEROP_SERVER="$ROOT/.build/debug/interop-server" INTEROP_CLIENT="$ROOT/.build/debug/interop-client" \
  .venv/bin/python -m pytest Tests/interop -q -p no:cacheprovider

if [[ "$FUZZ_SECONDS" -gt 0 ]]; then
  step "fuzz the wire, the uploads, serial ranges and request messages for ${FUZZ_SECONDS}s in all"
  scripts/fuzz.sh "$FUZZ_SECONDS"
fi

step "all tests passed"
