#!/usr/bin/env bash
# Prints the packages of scripts/deps/*.apt lists (the words before each '#'), one per line, like
# scripts/setup.sh reads them, leaving out those given with --without "PKG ..." (test-only
# packages an image build does not need). A --without name that no list holds is an error, so a
# renamed package cannot slip into the image unnoticed.
# Usage: apt-packages.sh [--without "PKG ..."] LIST.apt...
set -euo pipefail
without=()
if [ "${1:-}" = --without ]; then
  read -r -a without <<<"${2:-}"
  shift 2
fi
[ $# -gt 0 ] || { echo "usage: $0 [--without \"PKG ...\"] LIST.apt..." >&2; exit 2; }
mapfile -t wanted < <(cat "$@" | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
for pkg in "${without[@]}"; do
  printf '%s\n' "${wanted[@]}" | grep -qxF -- "$pkg" || { echo "apt-packages: --without $pkg: not in $*" >&2; exit 1; }
done
printf '%s\n' "${wanted[@]}" | grep -vxF -f <(printf '%s\n' "${without[@]}" "") || true
