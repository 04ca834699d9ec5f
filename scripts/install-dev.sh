#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 machine, then the project itself.
# System packages come from scripts/apt-packages.txt (installed only when missing, as root).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

mapfile -t wanted < <(grep -vE '^\s*(#|$)' scripts/apt-packages.txt)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "需要安装系统软件包 / system packages missing (run as root): ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -m pip install --disable-pip-version-check -q -e ".[test]"
