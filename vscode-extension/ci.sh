#!/usr/bin/env bash
# Builds and tests the VS Code extension: install, type-check and bundle,
# grammar tests, unit tests, and packaging into a .vsix.
set -euo pipefail

cd "$(dirname "$0")"

npm ci --no-audit --no-fund
npm run compile
npm run test:grammar
npm run test:unit
npm run test:smoke
npm run package

echo "vscode-extension: built $(ls -1 ./*.vsix)"
