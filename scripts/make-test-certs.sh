#!/usr/bin/env bash
# Creates throwaway TLS material for tests (never for production).
#
#   scripts/make-test-certs.sh DIR
#
# DIR/ca.pem, ca.key                 test CA
# DIR/server.pem, server.key         server cert, CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1
# DIR/client.pem, client.key         client cert, CN=partner-registry-1,
#                                    SAN URI:spiffe://recs.test/partner-registry-1, signed by the test CA
# DIR/rogue-ca.pem, rogue-ca.key     a second CA that nothing trusts
# DIR/rogue-client.pem, .key         a client cert with the same names as client.pem, signed by the rogue CA
#
# Keys are EC P-256 in PKCS#8 PEM ("BEGIN PRIVATE KEY"). Idempotent: does nothing when DIR already has
# every file. Files are made in a temporary directory and moved into DIR at the end, so a half-made set
# is never left behind.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
DIR="$1"
FILES=(ca.pem ca.key server.pem server.key client.pem client.key
       rogue-ca.pem rogue-ca.key rogue-client.pem rogue-client.key)

have_all() {
  local f
  for f in "${FILES[@]}"; do [[ -s "$DIR/$f" ]] || return 1; done
}
have_all && exit 0

command -v openssl >/dev/null 2>&1 || { echo "make-test-certs.sh: openssl not found" >&2; exit 1; }
mkdir -p "$DIR"
# Concurrent runs (parallel test sessions) must not mix files of two sets: one makes them, the others wait.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DIR/.lock"
  flock 9
  have_all && exit 0
fi
WORK="$(mktemp -d "$DIR/.tmp.XXXXXX")"
LOG="$WORK/openssl.log"
trap 'rm -rf "$WORK"' EXIT

CERTS_SCRIPT=make-test-certs.sh
# shellcheck source=lib/certs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/certs.sh"

CLIENT_SUBJECT="/O=recs test/CN=partner-registry-1"
CLIENT_SAN="URI:spiffe://recs.test/partner-registry-1"

make_ca ca "/O=recs test/CN=recs test CA"
make_leaf server ca "/O=recs test/CN=localhost" serverAuth "DNS:localhost, IP:127.0.0.1, IP:::1"
make_leaf client ca "$CLIENT_SUBJECT" clientAuth "$CLIENT_SAN"
make_ca rogue-ca "/O=rogue/CN=rogue test CA"
make_leaf rogue-client rogue-ca "$CLIENT_SUBJECT" clientAuth "$CLIENT_SAN"

ossl verify -CAfile "$WORK/ca.pem" "$WORK/server.pem" "$WORK/client.pem"
ossl verify -CAfile "$WORK/rogue-ca.pem" "$WORK/rogue-client.pem"
if openssl verify -CAfile "$WORK/ca.pem" "$WORK/rogue-client.pem" >/dev/null 2>&1; then
  echo "make-test-certs.sh: the rogue client certificate verifies against the test CA" >&2
  exit 1
fi

chmod 600 "$WORK"/*.key
chmod 644 "$WORK"/*.pem
for f in "${FILES[@]}"; do mv -f "$WORK/$f" "$DIR/$f"; done
