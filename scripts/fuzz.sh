#!/usr/bin/env bash
# Fuzzes the wire layer (Tests/Fuzz/WireFuzz) and the domain's inputs (Tests/Fuzz/DomainFuzz: the
# three CSV uploads, serial-range text, the four services' request messages) with libFuzzer and
# AddressSanitizer.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]    (default 120, every target; CI: scripts/test.sh runs
#                                             `scripts/fuzz.sh 120`, FUZZ_SECONDS)
#
# SECONDS is the fuzzing time of the whole run, split over the targets: `wire` gets two shares, each
# domain target one (with 120: wire 35 s, the five others 17 s each). Name targets to fuzz only those,
# e.g. `scripts/fuzz.sh 600 mct` fuzzes the MCT parser alone for ten minutes. Targets: wire,
# generation-extract, program-extract, mct, serial-range, requests.
#
# - builds the fuzz products the targets need (wire-fuzz, domain-fuzz), instrumented, into one
#   release build under .build-fuzz (nice'd; the second product reuses the first's modules);
# - fuzzes a temporary copy of Tests/Fuzz/corpus/TARGET for each target (the seeds are never modified);
# - writes crashing, leaking or slow inputs (fuzz-artifacts/TARGET-crash-…) and each target's log
#   (fuzz-artifacts/TARGET.log) to fuzz-artifacts/ (gitignored);
# - prints each target's final stats line; runs every target even after a failure, then exits
#   non-zero if any target found a crash, leak, timeout or OOM, or when the build fails.
#
# Reproduce a finding:   .build-fuzz/release/wire-fuzz fuzz-artifacts/wire-crash-…
#                        .build-fuzz/release/domain-fuzz --target mct fuzz-artifacts/mct-crash-…
# or, without sanitizers: swift build --scratch-path .build-fuzz --product domain-fuzz &&
#                         .build-fuzz/debug/domain-fuzz --target mct fuzz-artifacts/mct-crash-…
# Regenerate the seeds:   .build-fuzz/debug/wire-fuzz --write-corpus Tests/Fuzz/corpus/wire
#                         .build-fuzz/release/domain-fuzz --write-corpus Tests/Fuzz/corpus
#
# Non-interactive; assumes only what scripts/setup.sh installs (it is run when pkg-config cannot
# find libnghttp2 or libprotobuf-c).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALL_TARGETS=(wire generation-extract program-extract mct serial-range requests)
usage() {
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]  (SECONDS a positive whole number, default 120;" >&2
  echo "       TARGET one of: ${ALL_TARGETS[*]}; default all)" >&2
  exit 2
}
DURATION="${1:-120}"
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || ((DURATION < 1)); then usage; fi
shift $(($# > 0 ? 1 : 0))
TARGETS=("$@")
((${#TARGETS[@]} > 0)) || TARGETS=("${ALL_TARGETS[@]}")
for target in "${TARGETS[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $target "* ]] || usage
done

SCRATCH="$ROOT/.build-fuzz"
CORPORA="$ROOT/Tests/Fuzz/corpus"
ARTIFACTS="$ROOT/fuzz-artifacts"
# How this combination was found and why each flag is there: Tests/Fuzz/WireFuzz/Entry.swift.
BUILD_FLAGS=(
  -c release --scratch-path "$SCRATCH"
  -Xswiftc -DFUZZING
  -Xswiftc -sanitize=fuzzer,address
  -Xswiftc -enable-testing
  -Xswiftc -enable-experimental-feature -Xswiftc Extern
)

# The budget: two shares for wire, one for each other target; what rounding leaves goes to the first.
shares=0
for target in "${TARGETS[@]}"; do shares=$((shares + $([[ $target == wire ]] && echo 2 || echo 1))); done
declare -A SECONDS_FOR
given=0
for target in "${TARGETS[@]:1}"; do
  weight=$([[ $target == wire ]] && echo 2 || echo 1)
  SECONDS_FOR[$target]=$((DURATION * weight / shares > 0 ? DURATION * weight / shares : 1))
  given=$((given + SECONDS_FOR[$target]))
done
SECONDS_FOR[${TARGETS[0]}]=$((DURATION - given > 0 ? DURATION - given : 1))

cd "$ROOT"
if ! pkg-config --exists libnghttp2 libprotobuf-c 2>/dev/null; then
  echo "fuzz.sh: libnghttp2/libprotobuf-c not found; running scripts/setup.sh"
  "$ROOT/scripts/setup.sh"
fi
mkdir -p "$ARTIFACTS"

PRODUCTS=()
[[ " ${TARGETS[*]} " == *" wire "* ]] && PRODUCTS+=(wire-fuzz)
for target in "${TARGETS[@]}"; do
  if [[ $target != wire ]]; then PRODUCTS+=(domain-fuzz); break; fi
done
BUILD_LOG="$ARTIFACTS/build.log"
: >"$BUILD_LOG"
for product in "${PRODUCTS[@]}"; do
  echo "fuzz.sh: building $product (libFuzzer + ASan) into .build-fuzz"
  if ! nice -n 10 swift build "${BUILD_FLAGS[@]}" --product "$product" >>"$BUILD_LOG" 2>&1; then
    # ld.gold warns once per ASan helper symbol ("Cannot export local symbol"); that is noise.
    grep -v "Cannot export local symbol" "$BUILD_LOG" | tail -n 60 >&2
    echo "fuzz.sh: build failed (full log: $BUILD_LOG)" >&2
    exit 1
  fi
done
BIN_DIR="$(swift build "${BUILD_FLAGS[@]}" --show-bin-path)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/recs-fuzz.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

FAILED=()
for target in "${TARGETS[@]}"; do
  if [[ $target == wire ]]; then
    COMMAND=("$BIN_DIR/wire-fuzz")
  else
    COMMAND=("$BIN_DIR/domain-fuzz" --target "$target")
  fi
  [[ -x "${COMMAND[0]}" ]] || { echo "fuzz.sh: ${COMMAND[0]} was not built" >&2; exit 1; }
  # Serial numbers are short; everything else may be a whole (small) file or message.
  MAX_LEN=$([[ $target == serial-range ]] && echo 256 || echo 65536)
  mkdir -p "$WORK/$target"
  cp "$CORPORA/$target"/* "$WORK/$target/"
  RUN_LOG="$ARTIFACTS/$target.log"
  duration=${SECONDS_FOR[$target]}
  echo "fuzz.sh: $target: fuzzing for ${duration}s over a copy of Tests/Fuzz/corpus/$target ($(ls "$CORPORA/$target" | wc -l) seeds)"
  set +e
  # The Swift runtime's backtracer would take over the crash signal from libFuzzer and ASan (and can
  # sit for its own timeout); libFuzzer reports and writes the artifact itself.
  SWIFT_BACKTRACE=enable=no \
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:handle_abort=1}" \
    nice -n 10 "${COMMAND[@]}" \
    -max_total_time="$duration" -max_len="$MAX_LEN" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$target-" \
    "$WORK/$target" </dev/null >"$RUN_LOG" 2>&1
  STATUS=$?
  set -e

  STATS="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$RUN_LOG" | tail -n 1 || true)"
  if ((STATUS != 0)); then
    # Everything from the first report of the failure on (or the log's end), then what was written.
    grep -v '^#[0-9]' "$RUN_LOG" | grep -v 'NEW_FUNC' | tail -n 80 >&2
    echo "fuzz.sh: $target: the fuzzer failed (exit $STATUS); full log: $RUN_LOG" >&2
    found="$(grep -Eo "$target-(crash|leak|timeout|oom|slow-unit)-[0-9a-f]+" "$RUN_LOG" | sort -u || true)"
    if [[ -n "$found" ]]; then
      echo "fuzz.sh: $target: inputs written to fuzz-artifacts/: $(echo $found)" >&2
      echo "fuzz.sh: reproduce with: ${COMMAND[*]} fuzz-artifacts/<file>" >&2
    fi
    FAILED+=("$target")
    continue
  fi
  if [[ -z "$STATS" ]]; then
    tail -n 40 "$RUN_LOG" >&2
    echo "fuzz.sh: $target: the fuzzer exited 0 but printed no final stats; full log: $RUN_LOG" >&2
    FAILED+=("$target")
    continue
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$RUN_LOG" | sed "s/^/fuzz.sh: $target: /" || true
  echo "fuzz.sh: $target: $STATS"
done

if ((${#FAILED[@]} > 0)); then
  echo "fuzz.sh: failed: ${FAILED[*]}" >&2
  exit 1
fi
echo "fuzz.sh: no crash, leak or timeout in ${DURATION}s over: ${TARGETS[*]}"
