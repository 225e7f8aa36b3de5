#!/usr/bin/env bash
# Builds and tests the VS Code extension: install, type-check and bundle,
# grammar tests, unit tests, the smoke test against the real server, and
# packaging into a .vsix.
set -euo pipefail

cd "$(dirname "$0")"

npm ci --no-audit --no-fund
npm run compile
npm run test:grammar
npm run test:unit
# The smoke test drives the real server: $AA_LINT_BIN, or this checkout's
# debug build (built here when missing or stale).
if [ -z "${AA_LINT_BIN:-}" ]; then
    cargo build --quiet -p aa-lint --bin aa-lint
    target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
    export AA_LINT_BIN="$target_dir/debug/aa-lint"
fi
npm run test:smoke
npm run package

echo "vscode-extension: built $(ls -1 ./*.vsix)"
