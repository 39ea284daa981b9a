# Shared by scripts/make-test-certs.sh and scripts/make-deployment-certs.sh (sourced, not run):
# openssl steps that write into $WORK and log into $LOG, failing loudly with the script's name
# ($CERTS_SCRIPT). Keys are EC P-256 in PKCS#8 PEM.

# ossl ARGS...: openssl, its output to $LOG; on failure the log and exit 1.
ossl() {
  openssl "$@" >>"$LOG" 2>&1 || {
    echo "$CERTS_SCRIPT: openssl $1 failed:" >&2
    cat "$LOG" >&2
    exit 1
  }
}

newkey() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/$1"; }
serial() { echo "0x$(openssl rand -hex 16)"; }

# make_ca NAME SUBJECT: a self-signed CA valid 10 years.
make_ca() {
  newkey "$1.key"
  ossl req -x509 -new -key "$WORK/$1.key" -sha256 -days 3650 -subj "$2" -set_serial "$(serial)" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$WORK/$1.pem"
}

# make_leaf NAME CA SUBJECT EXTENDED_KEY_USAGE SUBJECT_ALT_NAME: a certificate signed by CA, 825 days.
make_leaf() {
  newkey "$1.key"
  ossl req -new -key "$WORK/$1.key" -subj "$3" -out "$WORK/$1.csr"
  cat >"$WORK/$1.ext" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = $4
subjectAltName = $5
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EXT
  ossl x509 -req -in "$WORK/$1.csr" -CA "$WORK/$2.pem" -CAkey "$WORK/$2.key" -set_serial "$(serial)" \
    -days 825 -sha256 -extfile "$WORK/$1.ext" -out "$WORK/$1.pem"
}
