#!/usr/bin/env bash
# Runs the tests of every editor configuration whose editor is installed.
# Exits non-zero if any test that ran failed.
set -euo pipefail
cd "$(dirname "$0")"

failed=0
run() {
  local name="$1" tool="$2" script="$3"
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "== $name: skipped ($tool is not installed)"
    return
  fi
  echo "== $name"
  if ! bash "$script"; then
    echo "== $name: FAILED"
    failed=1
  fi
}

if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is needed for the fake server" >&2
  exit 1
fi

run neovim nvim neovim/tests/run.sh
run vim vim vim/tests/run.sh
run emacs emacs emacs/tests/run.sh

exit "$failed"
