#!/usr/bin/env bash
# Builds Notely (installing what it needs) and runs it with the given flags.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product notely
exec .build/debug/notely "$@"
