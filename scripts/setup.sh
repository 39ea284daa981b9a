#!/usr/bin/env bash
# Prepares a Debian 12 machine for building and testing this package.
#
#   scripts/setup.sh
#
# - installs the Debian packages the build and the tests need (apt-get update only when one is missing);
# - creates .venv at the repository root and installs Tests/interop/requirements.txt into it, again only
#   when the requirements (or the venv's Python) changed since the last run (stamp file inside .venv).
#
# Idempotent and non-interactive (works with CI=true and no terminal). Quiet on success; on failure it
# prints what failed, with the failing command's output, and exits non-zero.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/Tests/interop/requirements.txt"
STAMP="$VENV/.requirements.sha256"

DEBIAN_PACKAGES=(
  libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler nghttp2-client
  python3-venv openssl postgresql sqlite3 libsqlite3-dev libpq-dev docker-compose
)

LOG="$(mktemp "${TMPDIR:-/tmp}/setup.XXXXXX.log")"
trap 'rm -f "$LOG"' EXIT

fail() {
  echo "setup.sh: $*" >&2
  if [[ -s "$LOG" ]]; then
    echo "---- output ----" >&2
    tail -n 60 "$LOG" >&2
    echo "----------------" >&2
  fi
  exit 1
}

# Runs a command with its output captured in $LOG; fails with a message if it fails.
run() {
  local what="$1"; shift
  : >"$LOG"
  "$@" >>"$LOG" 2>&1 || fail "$what failed (command: $*)"
}

# --- Debian packages ----------------------------------------------------------------------------------
if [[ "$(id -u)" -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n)
else
  SUDO=()
fi

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  if [[ "$(id -u)" -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
    fail "missing Debian packages (${missing[*]}) and not root, and sudo is not available"
  fi
  export DEBIAN_FRONTEND=noninteractive
  run "apt-get update" "${SUDO[@]}" apt-get update -q
  run "apt-get install ${missing[*]}" "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- Python virtual environment ------------------------------------------------------------------------
[[ -f "$REQUIREMENTS" ]] || fail "$REQUIREMENTS not found"

venv_works() {
  [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys, venv' >/dev/null 2>&1 &&
    "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

if ! venv_works; then
  rm -rf "$VENV"
  made=0
  for py in python3 /usr/bin/python3; do
    command -v "$py" >/dev/null 2>&1 || continue
    : >"$LOG"
    if "$py" -m venv "$VENV" >>"$LOG" 2>&1 && venv_works; then
      made=1
      break
    fi
    rm -rf "$VENV"
  done
  ((made)) || fail "could not create a virtual environment at $VENV with python3 or /usr/bin/python3"
fi

# The stamp covers the requirements file and the interpreter, so a changed file or a new Python reinstalls.
want="$( { cat "$REQUIREMENTS"; "$VENV/bin/python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [[ "$want" != "$have" ]]; then
  rm -f "$STAMP"
  run "pip install -r Tests/interop/requirements.txt" env PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$VENV/bin/python" -m pip install -q -r "$REQUIREMENTS"
  run "checking the installed Python packages" "$VENV/bin/python" -c \
    'import grpc, grpc_tools.protoc, grpc_health.v1.health, grpc_reflection.v1alpha.reflection, google.protobuf, pytest'
  echo "$want" >"$STAMP"
fi
