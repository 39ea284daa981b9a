#!/usr/bin/env bash
# Side-by-side unary benchmark (not part of the tests): h2load drives grpc.testing.TestService/UnaryCall
# with a fixed small request (SimpleRequest{response_size: 16, payload.body: 16 zero bytes}, see
# make_request.py) at 1 connection x 1 stream and 16 connections x 64 streams, against
#   ours          our server:   $RECS_INTEROP_SERVER --port N   (default .build/release/interop-server)
#   grpc-swift-2  benchmarks/grpc-swift-2-server (grpc-swift-2 + NIO HTTP/2 posix transport, plaintext)
#   python        grpcio:       .venv/bin/python Tests/interop/interop_server.py --port N --host 127.0.0.1
# all in one run, runs interleaved (A B C A B C ...), and prints a Markdown report (machine info, one row
# per run with req/s, p50 and p99, medians, ratios ours / grpc-swift-2), after checking grpc-status 0 and
# the decoded response on a call to every server before and after, and the DATA byte count of every run.
#
# usage: benchmarks/run.sh [--no-build]
# environment (all optional):
#   SERVERS="ours grpc-swift-2 python"   which servers, in this order
#   RUNS=3  DURATION=10  WARMUP=1  SERVER_WARMUP=3  LOADS=1x1,16x64
#   RECS_INTEROP_SERVER=path             our server binary; built (release) only when this is unset and
#                                        .build/release/interop-server is missing
#   OUT=dir                              raw h2load output, server logs and report.md (default: a new
#                                        folder under ${TMPDIR:-/tmp})
# Needs h2load and nghttp (Debian nghttp2-client); the Python server and the grpcio cross-check need
# the repository's .venv (scripts/setup.sh). Only 127.0.0.1 is used. Takes about
# RUNS x loads x servers x (DURATION + WARMUP + ~1) s plus warm-up: ~4 minutes with the defaults.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
  esac
done

SERVERS="${SERVERS:-ours grpc-swift-2 python}"
python="$repo/.venv/bin/python"
[[ -x "$python" ]] || python="$(command -v python3)"
for tool in h2load nghttp; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install nghttp2-client)" >&2; exit 1; }
done

ours_default="$repo/.build/release/interop-server"
ours="${RECS_INTEROP_SERVER:-$ours_default}"
gs2_dir="$here/grpc-swift-2-server"
gs2="$gs2_dir/.build/release/grpc-swift-2-server"

args=()
for s in $SERVERS; do
  case "$s" in
    ours)
      if [[ ! -x "$ours" && -z "${RECS_INTEROP_SERVER:-}" && $build == 1 ]]; then
        echo "building interop-server (release)" >&2
        nice -n 19 swift build -c release --product interop-server >&2
      fi
      [[ -x "$ours" ]] || { echo "missing $ours (set RECS_INTEROP_SERVER or drop 'ours' from SERVERS)" >&2; exit 1; }
      args+=(--server "ours=$(printf '%q' "$ours") --port {port}") ;;
    grpc-swift-2)
      if [[ ! -x "$gs2" && $build == 1 ]]; then
        echo "building grpc-swift-2-server (release; about 6 minutes the first time)" >&2
        (cd "$gs2_dir" && nice -n 19 swift build -c release >&2)
      fi
      [[ -x "$gs2" ]] || { echo "missing $gs2" >&2; exit 1; }
      args+=(--server "grpc-swift-2=$(printf '%q' "$gs2") --port {port} --host 127.0.0.1") ;;
    python)
      [[ -x "$repo/.venv/bin/python" && -f "$repo/Tests/interop/interop_server.py" ]] ||
        { echo "missing .venv or Tests/interop/interop_server.py (run scripts/setup.sh)" >&2; exit 1; }
      args+=(--server "python=$(printf '%q' "$repo/.venv/bin/python") Tests/interop/interop_server.py --port {port} --host 127.0.0.1") ;;
    *) echo "unknown server '$s' (ours, grpc-swift-2, python)" >&2; exit 2 ;;
  esac
done

OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/recs-bench-XXXXXX")}"
echo "output in $OUT" >&2
exec "$python" "$here/bench.py" "${args[@]}" \
  --runs "${RUNS:-3}" --duration "${DURATION:-10}" --warmup "${WARMUP:-1}" \
  --server-warmup "${SERVER_WARMUP:-3}" --loads "${LOADS:-1x1,16x64}" --out "$OUT"
