#!/usr/bin/env bash
# Prints the Debian packages that hold the shared libraries BINARY... load (ldd, then dpkg -S),
# one per line: what a runtime image must install, found from the build instead of typed by hand.
# Fails if a library belongs to no package (a local build of something would not be in the image).
# Usage: runtime-packages.sh BINARY...
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 BINARY..." >&2; exit 2; }
owner() {  # the package of one library file; bookworm lists some under /lib, some under /usr/lib
  local file=$1 real
  real=$(readlink -f "$file")
  for candidate in "$file" "$real" "/usr${file#/usr}" "${file#/usr}" "/usr${real#/usr}" "${real#/usr}"; do
    dpkg -S "$candidate" 2>/dev/null | sed -n '1s/:.*//p' | grep . && return 0
  done
  echo "runtime-packages: no package holds $file" >&2
  return 1
}
for binary in "$@"; do
  ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
done | sort -u | while read -r lib; do owner "$lib"; done | sort -u
