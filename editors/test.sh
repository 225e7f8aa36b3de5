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

# The editors talk to the real server: $AA_LINT_BIN, or the debug build of
# this checkout (built here when missing or stale).
if [ -z "${AA_LINT_BIN:-}" ]; then
  cargo build --quiet -p aa-lint --bin aa-lint
  target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
  export AA_LINT_BIN="$target_dir/debug/aa-lint"
fi
if [ ! -x "$AA_LINT_BIN" ]; then
  echo "AA_LINT_BIN=$AA_LINT_BIN is not an executable" >&2
  exit 1
fi
echo "server under test: $AA_LINT_BIN"

run neovim nvim neovim/tests/run.sh
run vim vim vim/tests/run.sh
run emacs emacs emacs/tests/run.sh

exit "$failed"
