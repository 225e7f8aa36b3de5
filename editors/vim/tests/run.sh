#!/usr/bin/env bash
# Headless checks of the Vim files (filetype detection and settings).
set -euo pipefail
cd "$(dirname "$0")"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
rc=0
AA_LINT_VIM_OUT="$out" timeout 60 vim -u NONE -N -i NONE -es -S check.vim </dev/null || rc=$?
cat "$out"
exit "$rc"
