#!/usr/bin/env python3
"""Runs the Python language server 0.10.0 and aa-logprof (Debian's
apparmor-utils) on the records of records.tsv and writes what each
suggests to outputs.json; tests/compare_tools.rs then adds aa-lint's
suggestion, compiles the three profiles and writes the table of
docs/suggest.md.

Each record gets the same base profile, `include <tunables/global>` and an
empty block for the record's profile (for the ping session, the system's
bin.ping), in a directory that links the system's tunables, abstractions
and abi (/etc/apparmor.d, from the apparmor package).

- The language server runs as the editor runs it: over stdio, with
  `apparmor.auditLog.path` set to the log and `apparmor.baseDir` to the
  directory; the suggestions are its source code actions ("Add '...'") for
  the profile. The profile file's time is set to 0, since the server drops
  events older than the profile file.
- aa-logprof runs unmodified with `--json -d DIR -f LOG`, in a private
  mount namespace with securityfs mounted (it refuses to run when securityfs
  is not mounted; nothing is loaded, as the kernel has no AppArmor there).
  Each question is answered as "allow all" does: (A)llow the option it
  selects by default (the first), (I)nherit for an exec, then (S)ave. The
  rules are the lines the written profile has and the base does not.

Usage (as root; see docs/suggest.md, "Against the other tools"):
    crates/aa-suggest/compare/compare.py [--venv DIR]
    UPDATE_EXPECT=1 cargo test -p aa-suggest --test compare_tools
"""

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEST_MULTI = Path(os.environ.get("AA_LOG_TEST_MULTI", "/work/shared/upstream/logs/test_multi"))
LOGPROF_DIR = Path(os.environ.get("AA_LOGPROF_DIR", "/work/shared/upstream/logs/logprof"))
SYSTEM_POLICY = Path("/etc/apparmor.d")
SERVER_VERSION = "0.10.0"


def venv_server(venv: Path) -> Path:
    """The server's executable in `venv`, installed there if missing."""
    exe = venv / "bin" / "apparmor-language-server"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", f"apparmor-language-server=={SERVER_VERSION}"], check=True
        )
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout
    if SERVER_VERSION not in out:
        sys.exit(f"{exe}: version {out.strip()!r}, not {SERVER_VERSION}")
    return exe


def record_of(case: str) -> str:
    if case.startswith("logprof/"):
        return (LOGPROF_DIR / case.removeprefix("logprof/")).read_text()
    return (TEST_MULTI / f"{case}.in").read_text()


def field(record: str, name: str) -> str | None:
    """A quoted field of the first AppArmor record in `record`."""
    for key in (f' {name}="', f'\t{name}="'):
        at = record.find(key)
        if at >= 0:
            start = at + len(key)
            return record[start : record.index('"', start)]
    return None


def base_profile(case: str, record: str) -> str:
    if case.startswith("logprof/"):
        return (SYSTEM_POLICY / "bin.ping").read_text()
    label = field(record, "profile") or field(record, "label")
    head = label if label.startswith("/") else f"profile {label}"
    return f"include <tunables/global>\n\n{head} {{\n}}\n"


def policy_dir(base: str) -> tuple[Path, Path]:
    """A directory with the base profile and links to the system's
    tunables, abstractions and abi; the profile's path."""
    d = Path(tempfile.mkdtemp(prefix="aa-compare-"))
    for sub in ("tunables", "abstractions", "abi"):
        if (SYSTEM_POLICY / sub).exists():
            (d / sub).symlink_to(SYSTEM_POLICY / sub)
    profile = d / "profile"
    profile.write_text(base)
    return d, profile


class Lsp:
    """A minimal LSP client over a child's stdio."""

    def __init__(self, argv: list[str], settings: dict):
        self.settings = settings
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.replies: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _send(self, msg: dict) -> None:
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(out.read(length))
            if "method" in msg and "id" in msg:
                # A request of the server's: settings, registrations, progress.
                result = None
                if msg["method"] == "workspace/configuration":
                    result = [self.settings.get(i.get("section", ""), self.settings) for i in msg["params"]["items"]]
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            elif "id" in msg:
                self.replies.put(msg)

    def request(self, method: str, params: dict, timeout: float = 60) -> dict:
        self.next_id += 1
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            reply = self.replies.get(timeout=timeout)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result")

    def notify(self, method: str, params: dict) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=10)
            self.notify("exit", {})
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def python_server(exe: Path, dirpath: Path, profile: Path, log: Path, base: str) -> dict:
    os.utime(profile, (0, 0))
    settings = {"apparmor": {"auditLog": {"enable": True, "path": str(log)}, "baseDir": str(dirpath)}}
    lsp = Lsp([str(exe)], settings)
    try:
        caps = {
            "textDocument": {
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}}
            },
            "workspace": {"configuration": True},
        }
        lsp.request("initialize", {"processId": os.getpid(), "rootUri": dirpath.as_uri(), "capabilities": caps})
        lsp.notify("initialized", {})
        lsp.notify("workspace/didChangeConfiguration", {"settings": settings})
        uri = profile.as_uri()
        lsp.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "apparmor", "version": 1, "text": base}},
        )
        # The profile block's first line.
        line = next(i for i, l in enumerate(base.splitlines()) if l.rstrip().endswith("{"))
        actions = lsp.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
                "context": {"diagnostics": [], "only": ["source"]},
            },
        )
    finally:
        lsp.close()
    rules, widened = [], []
    for a in actions or []:
        title = a.get("title", "")
        if not title.startswith("Add '"):
            continue
        text = title[len("Add '") : title.rindex("'")]
        (widened if title.endswith("(widened)") else rules).append(text)
    return {"rules": rules, "widened": widened}


def answer(prompt: dict) -> dict:
    items = " ".join(prompt.get("menu_items") or [])
    if prompt.get("title") == "Changed Local Profiles":
        key = "s"
    elif "(A)llow" in items:
        key = "a"
    elif "(I)nherit" in items:
        key = "i"
    else:
        key = prompt.get("default_key") or "a"
    return {"dialog": "promptuser", "response_key": key, "selected": 0}


def aa_logprof(dirpath: Path, profile: Path, log: Path, base: str) -> dict:
    script = (
        "mount -t securityfs none /sys/kernel/security && "
        f"exec /usr/bin/python3 /usr/sbin/aa-logprof --json -d '{dirpath}' -f '{log}'"
    )
    env = {"LANG": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    proc = subprocess.Popen(
        ["unshare", "-m", "sh", "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    questions, info = [], []
    for line in proc.stdout:
        line = line.strip()
        if not line.startswith("{"):
            continue
        msg = json.loads(line)
        kind = msg.get("dialog")
        reply = None
        if kind == "promptuser":
            questions.append({"headers": msg.get("headers"), "options": msg.get("options")})
            reply = answer(msg)
        elif kind in ("yesno", "yesnocancel"):
            reply = {"dialog": kind, "response": msg.get("default") or "n"}
        elif kind in ("getstring", "getfile", "changes"):
            reply = {"dialog": kind, "response": msg.get("default") or ""}
        elif kind in ("info", "important"):
            info.append(msg.get("data"))
        if reply is not None:
            proc.stdin.write(json.dumps(reply) + "\n")
            proc.stdin.flush()
    proc.wait(timeout=60)
    err = proc.stderr.read().strip().splitlines()
    before = {l.strip() for l in base.splitlines()}
    rules = [
        l.strip()
        for l in profile.read_text().splitlines()
        if (l.strip().endswith(",") or l.strip().startswith("include "))
        and l.strip() not in before
        and not l.strip().startswith("#")
    ]
    return {"rules": rules, "questions": questions, "info": info, "exit": proc.returncode, "error": err[-1:]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venv", default=os.path.expanduser("~/.cache/apparmor-ls-0.10.0"))
    ap.add_argument("--out", default=str(HERE / "outputs.json"))
    args = ap.parse_args()
    if not Path("/usr/sbin/aa-logprof").exists():
        sys.exit("aa-logprof is missing: apt-get install apparmor-utils")
    exe = venv_server(Path(args.venv))
    versions = {
        "apparmor-language-server": SERVER_VERSION,
        "apparmor-utils": subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "apparmor-utils"], capture_output=True, text=True
        ).stdout,
    }
    rows = []
    for line in (HERE / "records.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cls, case = line.split("\t")[:2]
        record = record_of(case)
        base = base_profile(case, record)
        d, profile = policy_dir(base)
        # Beside the directory: aa-logprof reads every file in it as a profile.
        log = d.with_name(d.name + ".log")
        log.write_text(record)
        try:
            python = python_server(exe, d, profile, log, base)
            profile.write_text(base)
            logprof = aa_logprof(d, profile, log, base)
        finally:
            shutil.rmtree(d)
            log.unlink()
        # The temporary names, so that a run again gives the same file.
        logprof = json.loads(json.dumps(logprof).replace(str(log), "LOG").replace(str(d), "DIR"))
        print(f"{case}: python {python['rules']} aa-logprof {logprof['rules']}", file=sys.stderr)
        # The record and the base are read again by the test (upstream's
        # log tests and the system's policy are not copied here).
        rows.append({"class": cls, "case": case, "python": python, "logprof": logprof})
    Path(args.out).write_text(json.dumps({"versions": versions, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
