# Sourced by the scripts that stand up a broker (tools/demo.sh, tools/arm64/test-arm64.sh): a throwaway
# P-256 CA in the current folder, certificates issued from it, and the broker's per-CE ACL.
#   pki_ca NAME                 ca.key, ca.crt (CN=NAME), valid a day
#   pki_issue FILE CN EXT       FILE.key, FILE.crt signed by the CA, with the x509 extension line EXT
#   pki_acl                     acl: the collector reads every CE's topics, a CE writes only its own
pki_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -subj "/CN=$1" -days 1 2>/dev/null
}
pki_issue() {
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 1 -extfile "$1.ext" 2>/dev/null
}
pki_acl() {
  printf 'user collector\ntopic read ce/v1/#\n\npattern write ce/v1/%%u/#\n' > acl
}
