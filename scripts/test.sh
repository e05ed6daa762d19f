#!/usr/bin/env bash
# Builds Notely and runs every test (installing what they need first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build --disable-xctest "$@"
