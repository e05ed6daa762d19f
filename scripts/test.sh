#!/usr/bin/env bash
# Builds Notely and runs every test (installing what they need first), against a throwaway
# PostgreSQL cluster that this script starts and stops (NOTELY_TEST_POSTGRES_URL names it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests

cluster=$(mktemp -d /tmp/notely-test-postgres.XXXXXX)
trap 'scripts/postgres.sh stop "$cluster"; rm -rf "$cluster"' EXIT
NOTELY_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$cluster")
export NOTELY_TEST_POSTGRES_URL
swift test --skip-build --disable-xctest "$@"
