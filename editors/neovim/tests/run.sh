#!/usr/bin/env bash
# Loads every Lua file headless, then runs the end-to-end test against the
# real server, $AA_LINT_BIN (editors/test.sh sets it). Needs nvim 0.7+.
set -euo pipefail
cd "$(dirname "$0")/.."

for f in lua/aa_lint/*.lua lsp/*.lua; do
  timeout 30 nvim --headless -u NONE -c "set rtp+=." -c "luafile $f" -c "qall!" </dev/null 2>&1 | tee /tmp/aa-lint-nvim-load.$$ 
  if [ -s /tmp/aa-lint-nvim-load.$$ ]; then
    rm -f /tmp/aa-lint-nvim-load.$$
    echo "loading $f printed errors" >&2
    exit 1
  fi
  rm -f /tmp/aa-lint-nvim-load.$$
done

timeout 60 nvim --headless -u NONE -i NONE -c 'luafile tests/lspconfig.lua' </dev/null
timeout 120 nvim --headless -u NONE -i NONE -c 'luafile tests/e2e.lua' </dev/null
