#!/usr/bin/env bash
# Fails when the generated code is stale: regenerates from Protos/ into a temporary directory and
# compares it with Shared/ProtosC, Shared/ProtoMessages and Shared/ProtoServices (the hand-written
# Shared/ProtoMessages/ProtoSupport.swift aside), naming every file that differs, is missing or is
# left over. Also runs the generator's unit tests (scripts/protogen/tests). Touches nothing in the tree.
# Fix a failure with: scripts/generate.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

[[ -x "$ROOT/.venv/bin/python" ]] || { echo "check-generated: .venv missing; run scripts/setup.sh" >&2; exit 1; }
echo "check-generated: generator unit tests"
(cd "$ROOT" && .venv/bin/python -m unittest discover -s scripts/protogen/tests -t scripts/protogen/tests -q)

"$ROOT/scripts/generate.sh" --out "$TMP" >/dev/null

stale=0
for dir in ProtosC ProtoMessages ProtoServices; do
    want="$TMP/$dir"
    have="$ROOT/Shared/$dir"
    while IFS= read -r rel; do
        if [[ ! -f "$have/$rel" ]]; then
            echo "missing: Shared/$dir/$rel"; stale=1
        elif ! cmp -s "$want/$rel" "$have/$rel"; then
            echo "stale:   Shared/$dir/$rel"; stale=1
        fi
    done < <(cd "$want" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
    if [[ -d "$have" ]]; then
        while IFS= read -r rel; do
            [[ "$dir/$rel" == "ProtoMessages/ProtoSupport.swift" ]] && continue
            [[ -f "$want/$rel" ]] || { echo "extra:   Shared/$dir/$rel (not generated from Protos/)"; stale=1; }
        done < <(cd "$have" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
    fi
done

if [[ $stale -ne 0 ]]; then
    echo "check-generated: generated code is out of date with Protos/; run scripts/generate.sh" >&2
    exit 1
fi
echo "check-generated: up to date"
