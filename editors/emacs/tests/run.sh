#!/usr/bin/env bash
# Byte-compiles aa-lint.el (warnings are errors) and runs the end-to-end test
# against the real server ($AA_LINT_BIN). Needs Emacs 28+ with Eglot (built in
# since Emacs 29; Debian's elpa-eglot for Emacs 28).
set -euo pipefail
cd "$(dirname "$0")/.."

load_path=(-L .)
for d in /usr/share/emacs/site-lisp/elpa/*/; do
  [ -d "$d" ] && load_path+=(-L "$d")
done

if ! emacs -Q --batch "${load_path[@]}" --eval "(require 'eglot)" >/dev/null 2>&1; then
  echo "emacs: skipped (Eglot is not available; on Debian 12: apt install elpa-eglot)"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp aa-lint.el "$tmp/"
timeout 120 emacs -Q --batch "${load_path[@]}" \
  --eval '(setq byte-compile-error-on-warn t)' \
  -f batch-byte-compile "$tmp/aa-lint.el"

timeout 120 emacs -Q --batch "${load_path[@]}" -l tests/e2e.el
