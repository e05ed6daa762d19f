#!/usr/bin/env bash
# Builds Notely (installing what it needs) and runs it with the given flags.
#
# `--postgres` with no URL after it starts a private PostgreSQL cluster in .notely/postgres/
# (scripts/postgres.sh), hands notely its URL, and stops the cluster when notely exits;
# `--postgres URL` uses that server instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product notely

args=()
private_cluster=""
while [ $# -gt 0 ]; do
    if [ "$1" = "--postgres" ] && { [ $# -eq 1 ] || [[ "$2" == --* ]]; }; then
        private_cluster=.notely/postgres
    else
        args+=("$1")
    fi
    shift
done
if [ -z "$private_cluster" ]; then
    exec .build/debug/notely ${args[@]+"${args[@]}"}
fi
trap 'scripts/postgres.sh stop "$private_cluster"' EXIT
url=$(scripts/postgres.sh start "$private_cluster")
echo "PostgreSQL: $url (stopped when notely exits)" >&2
NOTELY_POSTGRES_URL=$url .build/debug/notely ${args[@]+"${args[@]}"}
