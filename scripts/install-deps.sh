#!/usr/bin/env bash
# Installs the system packages Notely needs, only those missing: the ncurses and SQLite
# headers to build, tmux for the dashboard tests, PostgreSQL (a server for shards on the
# postgres engine: scripts/postgres.sh runs a private one), and Prometheus' Python client,
# whose parser reads /metrics in the tests. Safe to run again.
set -euo pipefail

packages=(libncurses-dev libsqlite3-dev tmux postgresql python3-prometheus-client)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
run apt-get update -qq
DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq "${missing[@]}"
