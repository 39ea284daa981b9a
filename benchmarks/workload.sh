#!/usr/bin/env bash
# Workload benchmark (issue 8, item 4; not part of the tests): the four services as processes, driven
# through their gRPC API by benchmarks/workload.py (grpcio from the repository's .venv):
# single-certificate transfers (request + accept), retirements and serial look-ups at 1 and 32 clients,
# fsync calls per acknowledged call at 1 client (strace, SQLite), issuance of N unit-months end to end,
# and a fragmentation run (K single-certificate transfers of every other serial out of one batch,
# throughput per slice).
# Every labelled binary directory is run on fresh data, runs interleaved (A B A B ...), and a
# Markdown report with the labels side by side (medians, ratios) goes to stdout and OUT/report.md.
#
# usage: benchmarks/workload.sh LABEL=BINDIR [LABEL=BINDIR ...]
#   BINDIR holds registry, issuance, transfer, reporting (e.g. a copy of .build/release); its
#   commit is read from BINDIR/COMMIT when present (write it when copying binaries).
# environment (all optional):
#   RUNS=3  DURATION=10 (s per load phase)  CLIENTS=1,32 (0: no load phases)  WORKERS=nproc (driver processes)
#   POSTGRES_URL=postgresql://...   also on PostgreSQL (scripts/start-test-postgres.sh prints one;
#                                   four databases per system run are created there and dropped)
#   SQLITE=0                        PostgreSQL only
#   UNIT_MONTHS=100000 ISSUANCE_UNITS=1000   issuance phase (0 skips it)
#   FRAGMENT_COUNT=100000 FRAGMENT_SLICES=10 FRAGMENT_BUDGET=600 (s; stops the run early)
#   SEED_CERTIFICATES=200000 (per phase's batch)  FSYNC_OPS=200 (0 skips the strace count)
#   OUT=dir  (default: a new folder under ${TMPDIR:-/tmp}); KEEP_DATA=1 keeps the databases
# The machine is shared: hold the build lock while measuring, e.g.
#   flock /tmp/recs-build.lock benchmarks/workload.sh before=/work/bench-bin/before after=.build/release
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

if [[ $# -eq 0 ]]; then
  sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
python="$repo/.venv/bin/python"
[[ -x "$python" ]] && "$python" -c 'import grpc, grpc_tools' 2>/dev/null ||
  { echo "workload.sh: no .venv with grpcio (run scripts/setup.sh)" >&2; exit 1; }
command -v strace >/dev/null || echo "workload.sh: strace not found (apt-get install strace): no fsync count" >&2
if [[ -n "${POSTGRES_URL:-}" ]]; then
  command -v psql >/dev/null || { echo "workload.sh: psql not found (apt-get install postgresql-client)" >&2; exit 1; }
fi

OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/recs-workload-XXXXXX")}"
echo "workload.sh: output in $OUT" >&2
args=(--out "$OUT" --runs "${RUNS:-3}" --duration "${DURATION:-10}" --clients "${CLIENTS:-1,32}"
  --workers "${WORKERS:-$(nproc)}" --issuance-unit-months "${UNIT_MONTHS:-100000}"
  --issuance-units "${ISSUANCE_UNITS:-1000}" --fragment-count "${FRAGMENT_COUNT:-100000}"
  --fragment-slices "${FRAGMENT_SLICES:-10}" --fragment-budget "${FRAGMENT_BUDGET:-600}"
  --seed-certificates "${SEED_CERTIFICATES:-200000}" --fsync-ops "${FSYNC_OPS:-200}")
[[ -n "${POSTGRES_URL:-}" ]] && args+=(--postgres "$POSTGRES_URL")
[[ "${SQLITE:-1}" == 0 ]] && args+=(--no-sqlite)
[[ "${KEEP_DATA:-0}" == 1 ]] && args+=(--keep-data)
# The report shows the command with the settings that shaped it.
settings=""
for v in RUNS DURATION CLIENTS WORKERS POSTGRES_URL SQLITE UNIT_MONTHS ISSUANCE_UNITS FRAGMENT_COUNT FRAGMENT_SLICES \
  FRAGMENT_BUDGET SEED_CERTIFICATES FSYNC_OPS; do
  [[ -n "${!v:-}" ]] && settings+="$v=${!v} "
done
export WORKLOAD_COMMAND="${settings}benchmarks/workload.sh $*"
exec "$python" "$here/workload.py" "${args[@]}" "$@"
