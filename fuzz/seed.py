#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ for the model, compile, fmt and lsp targets.

Sources (read, never copied into git): the parser's simple tests, the
installed policy and the apparmor.d collection, as docs/fuzzing.md says.
Besides single files, it writes workspaces (a profile, the abstractions it
includes, tunables, joined by U+001E as aa_fuzz_checks::Workspace decodes
them) and, for the lsp target, sessions: a profile followed by operations
(U+001E, operation, document, two numbers, payload; aa_fuzz_checks::lsp).

    python3 fuzz/seed.py [MAX_BYTES]
"""

import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SOURCES = [
    SHARED / "upstream/tst/simple_tests",
    Path("/etc/apparmor.d"),
    SHARED / "corpus/apparmor.d",
]
SEP = "\x1e"
MAX_BYTES = int(sys.argv[1]) if len(sys.argv) > 1 else 8192


def texts():
    for source in SOURCES:
        for path in sorted(source.rglob("*")):
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                continue
            try:
                yield path, path.read_text()
            except (UnicodeDecodeError, OSError):
                continue


def flatten_tunables(base):
    """tunables/global with the tunables it includes inlined, one level."""
    text = (base / "tunables/global").read_text()

    def inline(m):
        path = base / m.group(1)
        return path.read_text() if path.is_file() else ""

    return re.sub(r"^\s*#?include <(tunables/[^>]+)>", inline, text, flags=re.M)


def main():
    rng = random.Random(16)
    corpus = ROOT / "fuzz/corpus"
    for target in ["model", "compile", "fmt", "lsp"]:
        (corpus / target).mkdir(parents=True, exist_ok=True)
    all_texts = list(texts())
    n = 0
    for i, (path, text) in enumerate(all_texts):
        for target in ["model", "compile", "fmt"]:
            (corpus / target / f"file-{i:05}").write_text(text)
        n += 1
    # Workspaces: installed profiles with their real base abstraction,
    # another abstraction, an empty local file and flattened tunables.
    base = Path("/etc/apparmor.d")
    tunables = flatten_tunables(base)
    abstractions = sorted(p for p in (base / "abstractions").glob("*") if p.is_file())
    base_abs = (base / "abstractions/base").read_text()
    for i, path in enumerate(sorted(p for p in base.glob("*") if p.is_file())):
        text = path.read_text(errors="replace")
        text = text.replace("<abstractions/nameservice>", "<abstractions/fuzz>")
        other = rng.choice(abstractions).read_text(errors="replace")
        ws = SEP.join([text, base_abs, other, "", tunables])
        if len(ws.encode()) > 4 * MAX_BYTES:
            continue
        for target in ["model", "compile", "fmt"]:
            (corpus / target / f"workspace-{i:04}").write_text(ws)
    # Sessions: a small profile, then random operations.
    small = [t for _, t in all_texts if len(t) < 2048]
    rng.shuffle(small)
    for i, text in enumerate(small[:400]):
        ops = []
        for _ in range(rng.randrange(1, 12)):
            code = rng.randrange(26)
            payload = ""
            if code in (0, 1, 2, 3, 4, 5):
                piece = rng.choice(small)
                start = rng.randrange(len(piece) + 1)
                payload = piece[start : start + rng.randrange(40)]
            elif code == 22:
                payload = rng.choice(["all", "style", "security,nursery", "AA3"])
            ops.append(
                SEP + chr(code) + chr(rng.randrange(3)) + chr(rng.randrange(1, 0x7F)) + chr(rng.randrange(1, 0x7F)) + payload
            )
        (corpus / "lsp" / f"session-{i:04}").write_text(text + "".join(ops))
    print(f"{n} files, {len(abstractions)} abstractions, sessions for lsp under {corpus}")


if __name__ == "__main__":
    main()
