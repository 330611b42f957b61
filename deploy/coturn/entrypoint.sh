#!/bin/sh
# Starts coturn with deploy/coturn/turnserver.conf plus static-auth-secret from the secret file,
# written to a private copy so the secret never appears on a command line (ps shows those).
# Extra arguments go to turnserver (e.g. --external-ip=PUBLIC/PRIVATE behind NAT).
set -eu
secret_file=${TURN_SECRET_FILE:-/run/secrets/turn_secret}
base_conf=${PARLEY_COTURN_CONF:-/etc/parley-coturn/turnserver.conf}
[ -s "$secret_file" ] || { echo "parley-coturn: no secret in $secret_file" >&2; exit 1; }
umask 077
conf=$(mktemp)
# Trailing blanks and newlines dropped, as parley-server does with --turn-secret-file.
secret=$(sed 's/[[:space:]]*$//' "$secret_file")
{ cat "$base_conf"; printf 'static-auth-secret=%s\n' "$secret"; } > "$conf"
exec turnserver -c "$conf" "$@"
