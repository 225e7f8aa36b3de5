#!/usr/bin/env bash
# The entry of the hooks in .pre-commit-hooks.yaml: builds aa-lint from this
# repository with cargo (the first run compiles it; later runs reuse the
# build) and runs it with the hook's arguments and the files pre-commit
# passes. Build messages go to standard error.
#
#   AA_LINT_HOOK_PROFILE      cargo profile (default: release)
#   AA_LINT_HOOK_TARGET_DIR   cargo target directory (default: target/ of this repository)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
profile="${AA_LINT_HOOK_PROFILE:-release}"
target="${AA_LINT_HOOK_TARGET_DIR:-$repo/target}"

cargo build --quiet --profile "$profile" --manifest-path "$repo/Cargo.toml" -p aa-lint --target-dir "$target" >&2

case "$profile" in
    dev | test) out=debug ;;
    *) out="$profile" ;;
esac
exec "$target/$out/aa-lint" "$@"
