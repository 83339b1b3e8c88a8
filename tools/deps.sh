#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, then the Node packages of the interop tests.
# Idempotent: packages already present are not fetched again.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "deps: all ${#@} Debian packages present"
fi
if ! command -v dotnet >/dev/null; then
  echo "deps: the .NET SDK (dotnet) is not on PATH; this project needs the .NET 10 SDK" >&2
  exit 1
fi
# Node.js: Debian's nodejs/npm conflict with the NodeSource build such machines often carry, so only
# install them when no node is on PATH at all.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "deps: need root to install nodejs npm" >&2; exit 1; }
  echo "deps: installing nodejs npm"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
fi
for d in tests/interop tests/web; do
  if [ -f "$d/package.json" ]; then
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
