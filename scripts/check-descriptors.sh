#!/usr/bin/env bash
# Fails when a built method's messages change incompatibly: compiles Protos/recs/ into a descriptor set
# in a temporary directory and compares it with the committed baseline Protos/baseline/descriptors.binpb
# for the methods listed in Protos/baseline/built-methods.txt (scripts/protocompat/protocompat.py says
# what counts as incompatible). Prints every problem with its file, line, message, field and number.
# Also runs the checker's unit tests (scripts/protocompat/tests). Touches nothing in the tree.
#
# Usage: scripts/check-descriptors.sh [--update]
#   --update  rewrite Protos/baseline/descriptors.binpb from the protos as they are now (keeps
#             built-methods.txt; lists the incompatible changes the new baseline accepts). Run it when
#             a method becomes built (after adding it to built-methods.txt) or when a method or message
#             is added; over an incompatible change only as a deliberate decision, since it breaks
#             existing clients.
#
# Needs the repo venv .venv with grpcio-tools and protobuf (scripts/setup.sh makes it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="$ROOT/.venv/bin/python"
BASELINE=Protos/baseline/descriptors.binpb       # relative to $ROOT, as printed in messages
BUILT=Protos/baseline/built-methods.txt
COMMAND=check
while [[ $# -gt 0 ]]; do
    case "$1" in
        --update) COMMAND=update; shift ;;
        -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "check-descriptors: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [[ ! -x "$PYTHON" ]] || ! "$PYTHON" -c 'import grpc_tools.protoc, google.protobuf' 2>/dev/null; then
    echo "check-descriptors: $PYTHON with grpcio-tools and protobuf is missing; run scripts/setup.sh" >&2
    exit 1
fi
cd "$ROOT"
[[ -f "$BUILT" ]] || {
    echo "check-descriptors: $BUILT is missing; it lists the built methods (see Protos/baseline/README.md)" >&2
    exit 1
}

if [[ "$COMMAND" == check ]]; then
    echo "check-descriptors: checker unit tests"
    "$PYTHON" -m unittest discover -s scripts/protocompat/tests -t scripts/protocompat/tests -q
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Proto file names relative to the proto root, in a fixed order.
mapfile -t PROTOS < <(cd Protos && find recs -name '*.proto' -type f | LC_ALL=C sort)
[[ ${#PROTOS[@]} -gt 0 ]] || { echo "check-descriptors: no .proto files under Protos/recs/" >&2; exit 1; }
# Source info only for line numbers in the messages; the baseline is written without it.
"$PYTHON" -m grpc_tools.protoc -IProtos --include_imports --include_source_info \
    --descriptor_set_out="$TMP/current.binpb" "${PROTOS[@]}"

"$PYTHON" scripts/protocompat/protocompat.py "$COMMAND" \
    --baseline "$BASELINE" --current "$TMP/current.binpb" --built-methods "$BUILT" --proto-dir Protos
