#!/usr/bin/env bash
# Regenerates Sources/GRPCSwift2Server/Generated/ from the repository's Protos/grpc/testing/*.proto
# with protoc-gen-swift (swift-protobuf 1.39.0) and protoc-gen-grpc-swift-2 (grpc-swift-protobuf 2.4.1).
#
# The plugins are built once, outside the repository (about 2-10 minutes on 2 cores):
#   mkdir -p /tmp/plugins && cd /tmp/plugins
#   git clone /opt/swift-packages/grpc/grpc-swift-protobuf.git && cd grpc-swift-protobuf && git checkout 2.4.1
#   nice -n 19 swift build -c release --product protoc-gen-grpc-swift-2
#   nice -n 19 swift build -c release --product protoc-gen-swift   # swift-protobuf 1.39.0, resolved as a dependency
# (/opt/swift-packages/… is the local mirror of https://github.com/grpc/grpc-swift-protobuf; any checkout of
# that tag works.) Point PLUGIN_DIR at the folder holding both executables if it is elsewhere.
# protoc itself is Debian's (protobuf-compiler, libprotoc 3.21.12).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
PLUGIN_DIR="${PLUGIN_DIR:-/tmp/plugins/grpc-swift-protobuf/.build/release}"
PROTO_ROOT="${PROTO_ROOT:-$repo/Protos}"
out="$here/Sources/GRPCSwift2Server/Generated"

for p in protoc-gen-swift protoc-gen-grpc-swift-2; do
  [[ -x "$PLUGIN_DIR/$p" ]] || { echo "missing $PLUGIN_DIR/$p: build it as described at the top of $0" >&2; exit 1; }
done

rm -rf "$out" && mkdir -p "$out"
cd "$PROTO_ROOT"
protos=(grpc/testing/empty.proto grpc/testing/messages.proto grpc/testing/test.proto)
protoc -I . \
  --plugin=protoc-gen-swift="$PLUGIN_DIR/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift-2="$PLUGIN_DIR/protoc-gen-grpc-swift-2" \
  --swift_opt=Visibility=Internal,FileNaming=PathToUnderscores \
  --swift_out="$out" \
  --grpc-swift-2_opt=Visibility=Internal,Server=true,Client=false,FileNaming=PathToUnderscores \
  --grpc-swift-2_out="$out" \
  "${protos[@]}"
# Files without services come out as a comment only; drop them.
grep -l 'This file contained no services' "$out"/*.grpc.swift | xargs -r rm --
ls -1 "$out"
