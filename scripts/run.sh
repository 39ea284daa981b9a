#!/usr/bin/env bash
# Builds and runs the system. Today that is the gRPC interop server (TestService, health,
# reflection) on 127.0.0.1:50051; the registry, issuance, transfer and reporting services are not
# built yet (see README). Stops on Ctrl-C or SIGTERM, gracefully.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-50051}"
scripts/setup.sh
swift build -c release --product interop-server
echo "interop-server (grpc.testing.TestService, grpc.health.v1.Health, grpc.reflection.v1) on 127.0.0.1:${PORT}"
echo "try: .venv/bin/python Tests/interop/interop_client.py --port ${PORT} --test-case all"
exec .build/release/interop-server --port "$PORT"
