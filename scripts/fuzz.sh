#!/usr/bin/env bash
# Fuzzes the gRPC wire layer (Tests/Fuzz/WireFuzz) with libFuzzer and AddressSanitizer.
#
#   scripts/fuzz.sh [SECONDS]      (default 60; CI runs `scripts/fuzz.sh 60`)
#
# - builds the `wire-fuzz` product alone, instrumented, into .build-fuzz (release, under nice);
# - fuzzes a temporary copy of Tests/Fuzz/corpus for SECONDS (the seed corpus is never modified);
# - writes crashing, leaking or slow inputs and the full log to fuzz-artifacts/ (gitignored);
# - prints the run's final stats line; exits non-zero on any crash, leak, timeout or OOM, or when
#   the build fails.
#
# Reproduce a finding:   .build-fuzz/release/wire-fuzz fuzz-artifacts/crash-…
# or, without sanitizers: swift build --scratch-path .build-fuzz --product wire-fuzz &&
#                         .build-fuzz/debug/wire-fuzz --verbose fuzz-artifacts/crash-…
# Regenerate the seeds:   .build-fuzz/debug/wire-fuzz --write-corpus Tests/Fuzz/corpus
#
# Non-interactive; assumes only what scripts/setup.sh installs (it is run when pkg-config cannot
# find libnghttp2 or libprotobuf-c).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-60}"
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || ((DURATION < 1)); then
  echo "usage: scripts/fuzz.sh [SECONDS]  (a positive whole number, default 60)" >&2
  exit 2
fi

SCRATCH="$ROOT/.build-fuzz"
CORPUS="$ROOT/Tests/Fuzz/corpus"
ARTIFACTS="$ROOT/fuzz-artifacts"
# How this combination was found and why each flag is there: Tests/Fuzz/WireFuzz/Entry.swift.
BUILD_FLAGS=(
  -c release --scratch-path "$SCRATCH" --product wire-fuzz
  -Xswiftc -DFUZZING
  -Xswiftc -sanitize=fuzzer,address
  -Xswiftc -enable-testing
  -Xswiftc -enable-experimental-feature -Xswiftc Extern
)

cd "$ROOT"
if ! pkg-config --exists libnghttp2 libprotobuf-c 2>/dev/null; then
  echo "fuzz.sh: libnghttp2/libprotobuf-c not found; running scripts/setup.sh"
  "$ROOT/scripts/setup.sh"
fi
mkdir -p "$ARTIFACTS"

BUILD_LOG="$ARTIFACTS/build.log"
echo "fuzz.sh: building wire-fuzz (libFuzzer + ASan) into .build-fuzz"
if ! nice -n 10 swift build "${BUILD_FLAGS[@]}" >"$BUILD_LOG" 2>&1; then
  # ld.gold warns once per ASan helper symbol ("Cannot export local symbol"); that is noise.
  grep -v "Cannot export local symbol" "$BUILD_LOG" | tail -n 60 >&2
  echo "fuzz.sh: build failed (full log: $BUILD_LOG)" >&2
  exit 1
fi
BIN="$(swift build "${BUILD_FLAGS[@]}" --show-bin-path)/wire-fuzz"
[[ -x "$BIN" ]] || { echo "fuzz.sh: $BIN was not built" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/wire-fuzz.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/corpus"
cp "$CORPUS"/* "$WORK/corpus/"

RUN_LOG="$ARTIFACTS/fuzz.log"
echo "fuzz.sh: fuzzing for ${DURATION}s over a copy of Tests/Fuzz/corpus ($(ls "$CORPUS" | wc -l) seeds)"
set +e
# The Swift runtime's backtracer would take over the crash signal from libFuzzer and ASan (and can
# sit for its own timeout); libFuzzer reports and writes the artifact itself.
SWIFT_BACKTRACE=enable=no \
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:handle_abort=1}" \
  nice -n 10 "$BIN" \
  -max_total_time="$DURATION" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$ARTIFACTS/" \
  "$WORK/corpus" </dev/null >"$RUN_LOG" 2>&1
STATUS=$?
set -e

STATS="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$RUN_LOG" | tail -n 1 || true)"
if ((STATUS != 0)); then
  # Everything from the first report of the failure on (or the log's end), then what was written.
  grep -v '^#[0-9]' "$RUN_LOG" | grep -v 'NEW_FUNC' | tail -n 80 >&2
  echo "fuzz.sh: the fuzzer failed (exit $STATUS); full log: $RUN_LOG" >&2
  found="$(grep -Eo "(crash|leak|timeout|oom|slow-unit)-[0-9a-f]+" "$RUN_LOG" | sort -u || true)"
  if [[ -n "$found" ]]; then
    echo "fuzz.sh: inputs written to fuzz-artifacts/: $(echo $found)" >&2
    echo "fuzz.sh: reproduce with: $BIN fuzz-artifacts/<file>" >&2
  fi
  exit 1
fi
if [[ -z "$STATS" ]]; then
  tail -n 40 "$RUN_LOG" >&2
  echo "fuzz.sh: the fuzzer exited 0 but printed no final stats; full log: $RUN_LOG" >&2
  exit 1
fi
grep -E '^stat::' "$RUN_LOG" || true
echo "$STATS"
echo "fuzz.sh: no crash, leak or timeout in ${DURATION}s"
