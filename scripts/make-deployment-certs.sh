#!/usr/bin/env bash
# Creates the deployment's own CA and the four services' certificates, for mutual TLS between the
# registry, issuance, transfer and reporting services (each service's `--tls-dir DIR`, env
# RECS_TLS_DIR). scripts/run.sh and docker-compose.yml (its one-shot `tls` service) run it; for a real
# deployment an operator may instead put certificates from their own CA into DIR with the same layout.
#
#   scripts/make-deployment-certs.sh DIR
#   RECS_TLS_HOSTNAMES=recs.example.org,registry.example.org scripts/make-deployment-certs.sh DIR
#
# DIR/ca.pem                 the deployment CA (CN=recs deployment CA, 10 years): every service trusts
#                            it for its peers, and `recs --ca DIR/ca.pem` for the services
#                            (its private key is discarded once the four certificates are signed:
#                            whoever can read DIR, or any one service's files, cannot sign a fifth
#                            certificate that the services would take for a peer)
# DIR/NAME.pem, NAME.key     for NAME in registry, issuance, transfer, reporting: the service's server
#                            and client certificate (subject /O=recs deployment/CN=NAME; peers are told
#                            apart by the CN), extended key usage serverAuth and clientAuth, SAN
#                            DNS:NAME, DNS:localhost, IP:127.0.0.1, IP:::1 and every DNS name in
#                            RECS_TLS_HOSTNAMES (comma-separated; e.g. the public host name clients
#                            use), valid 825 days
#
# Keys are EC P-256 in PKCS#8 PEM ("BEGIN PRIVATE KEY"), mode 0600; certificates 0644.
# Idempotent: does nothing when DIR already has every file the services read (ca.pem and the four
# NAME.pem/NAME.key; an operator's own set with the same layout is left alone). It fails,
# changing nothing, when DIR has only some of them, or when RECS_TLS_HOSTNAMES names a host the
# existing certificates do not cover, and warns when one expires within 30 days: remove DIR's files
# to make a new set. Files are made in a
# temporary directory inside DIR and moved into DIR at the end, so a half-made set is never left behind.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
DIR="$1"
SERVICES=(registry issuance transfer reporting)
NEEDED=(ca.pem)
for name in "${SERVICES[@]}"; do NEEDED+=("$name.pem" "$name.key"); done
FILES=("${NEEDED[@]}")

# Extra DNS names from RECS_TLS_HOSTNAMES: commas separate, blanks around a name are ignored.
EXTRA_NAMES=()
IFS=',' read -r -d '' -a requested <<<"${RECS_TLS_HOSTNAMES:-}" || true
for host in ${requested[@]+"${requested[@]}"}; do
  host="${host#"${host%%[![:space:]]*}"}"
  host="${host%"${host##*[![:space:]]}"}"
  [[ -n "$host" ]] || continue
  if [[ ! "$host" =~ ^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$ ]]; then
    echo "make-deployment-certs.sh: RECS_TLS_HOSTNAMES: \"$host\" is not a DNS name" >&2
    exit 2
  fi
  if [[ "$host" =~ (^|\.)[0-9]+$ ]]; then
    echo "make-deployment-certs.sh: RECS_TLS_HOSTNAMES: \"$host\" looks like an IP address; only DNS names are taken" >&2
    exit 2
  fi
  EXTRA_NAMES+=("$host")
done

have_all() {
  local f
  for f in "${NEEDED[@]}"; do [[ -s "$DIR/$f" ]] || return 1; done
}

# Exits 0 when DIR already has a full set (after checking it covers RECS_TLS_HOSTNAMES), fails when it
# has part of one, and returns when DIR has none of the files.
check_existing() {
  local f present=() missing=()
  for f in "${FILES[@]}"; do
    if [[ -e "$DIR/$f" ]]; then present+=("$f"); else missing+=("$f"); fi
  done
  if have_all; then
    local name host sans
    for name in "${SERVICES[@]}"; do
      # One "DNS:name" or "IP Address:..." per line.
      sans="$(openssl x509 -in "$DIR/$name.pem" -noout -ext subjectAltName 2>/dev/null | tr ',' '\n' |
        sed 's/^[[:space:]]*//')" || sans=""
      for host in ${EXTRA_NAMES[@]+"${EXTRA_NAMES[@]}"}; do
        if ! grep -qixF "DNS:$host" <<<"$sans"; then
          echo "make-deployment-certs.sh: $DIR/$name.pem does not name $host (RECS_TLS_HOSTNAMES);" \
            "remove the files in $DIR to make a new set" >&2
          exit 1
        fi
      done
    done
    for name in ca "${SERVICES[@]}"; do
      if ! openssl x509 -in "$DIR/$name.pem" -noout -checkend $((30 * 24 * 3600)) >/dev/null 2>&1; then
        echo "make-deployment-certs.sh: warning: $DIR/$name.pem has expired or expires within 30 days;" \
          "remove the files in $DIR to make a new set" >&2
      fi
    done
    exit 0
  fi
  if [[ ${#present[@]} -gt 0 ]]; then
    echo "make-deployment-certs.sh: $DIR has ${present[*]} but not ${missing[*]};" \
      "complete the set or remove those files to make a new one (nothing changed)" >&2
    exit 1
  fi
}

command -v openssl >/dev/null 2>&1 || { echo "make-deployment-certs.sh: openssl not found" >&2; exit 1; }
if have_all; then check_existing; fi
mkdir -p "$DIR"
# Concurrent runs (several scripts starting at once) must not mix files of two sets: one makes them,
# the others wait and then find the set complete.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DIR/.lock"
  flock 9
fi
check_existing
WORK="$(mktemp -d "$DIR/.tmp.XXXXXX")"
LOG="$WORK/openssl.log"
trap 'rm -rf "$WORK"' EXIT

CERTS_SCRIPT=make-deployment-certs.sh
# shellcheck source=lib/certs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/certs.sh"

EXTRA_SAN=""
for host in ${EXTRA_NAMES[@]+"${EXTRA_NAMES[@]}"}; do EXTRA_SAN+=", DNS:$host"; done

make_ca ca "/O=recs deployment/CN=recs deployment CA"
for name in "${SERVICES[@]}"; do
  make_leaf "$name" ca "/O=recs deployment/CN=$name" "serverAuth, clientAuth" \
    "DNS:$name, DNS:localhost, IP:127.0.0.1, IP:::1$EXTRA_SAN"
done

LEAVES=()
for name in "${SERVICES[@]}"; do LEAVES+=("$WORK/$name.pem"); done
ossl verify -CAfile "$WORK/ca.pem" -purpose sslserver "${LEAVES[@]}"
ossl verify -CAfile "$WORK/ca.pem" -purpose sslclient "${LEAVES[@]}"

chmod 600 "$WORK"/*.key
chmod 644 "$WORK"/*.pem
# ca.pem last: once it is in place the set counts as complete. ca.key stays in WORK and goes with it.
for name in "${SERVICES[@]}"; do mv -f "$WORK/$name.key" "$WORK/$name.pem" "$DIR/"; done
mv -f "$WORK/ca.pem" "$DIR/ca.pem"
