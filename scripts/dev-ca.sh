#!/usr/bin/env bash
# A local certificate authority and a server certificate signed by it, for TLS on a LAN or in
# tests (openssl only). The CA is made once per directory and reused; each run makes a new server
# certificate for the names and addresses given (subjectAltName), valid for 825 days.
#
#   scripts/dev-ca.sh [-d DIR] NAME|IP ...     # default DIR: ./dev-ca
#   scripts/dev-ca.sh -d /etc/parley/tls parley.lan 192.168.1.10 localhost 127.0.0.1
#
# Writes DIR/ca.pem + DIR/ca.key (the CA; keep the key private) and DIR/server.pem (the server
# certificate followed by the CA: a full chain) + DIR/server.key, then prints how to use them.
set -euo pipefail
dir=./dev-ca
if [ "${1:-}" = "-d" ]; then dir="$2"; shift 2; fi
if [ $# -eq 0 ]; then
  echo "usage: $0 [-d DIR] NAME|IP ...   (at least one DNS name or IP address for the server certificate)" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "$0: openssl is not installed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
chmod 700 "$dir"

sans=()
for n in "$@"; do
  if [[ "$n" =~ ^[0-9.]+$ || "$n" == *:* ]]; then sans+=("IP:$n")
  elif [[ "$n" =~ ^[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?$ ]]; then sans+=("DNS:$n")
  else echo "$0: '$n' is neither a DNS name nor an IP address" >&2; exit 2
  fi
done
san=$(IFS=,; echo "${sans[*]}")

umask 077
if [ ! -s "$dir/ca.key" ] || [ ! -s "$dir/ca.pem" ]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
    -subj "/CN=Parley development CA $(hostname -s 2>/dev/null || echo local) $(date +%Y-%m-%d)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  echo "made a new CA: $dir/ca.pem"
fi
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -subj "/CN=$1" \
  -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
ext=$(mktemp)
trap 'rm -f "$ext" "$dir/server.csr" "$dir/leaf.pem"' EXIT
printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san" >"$ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 825 -sha256 \
  -extfile "$ext" -out "$dir/leaf.pem" 2>/dev/null
cat "$dir/leaf.pem" "$dir/ca.pem" >"$dir/server.pem"
chmod 644 "$dir/ca.pem" "$dir/server.pem"

cat <<USAGE
server certificate for $san:
  $dir/server.pem (full chain), $dir/server.key

Run the server with it:
  parley-server --tls-cert $dir/server.pem --tls-key $dir/server.key

Trust the CA ($dir/ca.pem):
  Chromium (per user, NSS database; apt-get install libnss3-tools):
    mkdir -p ~/.pki/nssdb && certutil -d sql:\$HOME/.pki/nssdb -A -t "C,," -n "Parley dev CA" -i $dir/ca.pem
  Debian's ca-certificates (system-wide: curl, parley-bots without --custom-ca):
    cp $dir/ca.pem /usr/local/share/ca-certificates/parley-dev-ca.crt && update-ca-certificates
  parley-bots only:
    parley-bots --ws-server wss://${1}:3001/ws --custom-ca $dir/ca.pem
USAGE
