//! Real-process tests: the built `aa-lint lsp` binary over stdio.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Client, aa_lint_binary, utf16_position};

fn policy_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aa-lsp-stdio-{}-{name}", std::process::id()));
    let base = dir.join("apparmor.d");
    std::fs::create_dir_all(base.join("abstractions")).unwrap();
    std::fs::create_dir_all(base.join("tunables")).unwrap();
    std::fs::write(base.join("abstractions/base"), "capability chown,\n/etc/ld.so.cache r,\n").unwrap();
    std::fs::write(base.join("tunables/global"), "@{HOME}=/home/*/ /root/\n").unwrap();
    dir
}

fn settings(dir: &std::path::Path) -> Value {
    json!({ "includePaths": [], "baseDir": dir.join("apparmor.d"), "lint": { "select": [], "ignore": [] } })
}

const PROFILE: &str = "include <tunables/global>\nprofile foo {\n  include <abstractions/base>\n  capability net_admn,\n  @{HOME}/x r,\n}\n";

#[test]
fn features_over_stdio() {
    let dir = policy_dir("features");
    let mut c = Client::start(&aa_lint_binary(), settings(&dir));
    let init = c.initialize(&dir.join("apparmor.d"), settings(&dir));
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync: {init}");
    let path = dir.join("apparmor.d/usr.bin.foo");
    let uri = format!("file://{}", path.display());
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "apparmor", "version": 1, "text": PROFILE } }),
    );
    let d = c.diagnostics(&uri, Duration::from_secs(20)).expect("diagnostics");
    let codes: Vec<&Value> = d["diagnostics"].as_array().unwrap().iter().map(|d| &d["code"]).collect();
    assert_eq!(codes, vec![&json!("AA058")], "{d}");

    let pos = |line: u32, character: u32| json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
    let hover = c.request("textDocument/hover", pos(4, 4));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("/home/*/ /root/"), "{hover}");
    let completion = c.request("textDocument/completion", pos(3, 13));
    let labels: Vec<&str> =
        completion["items"].as_array().unwrap().iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"net_admin"), "{labels:?}");
    let def = c.request("textDocument/definition", pos(2, 14));
    assert_eq!(def[0]["uri"], format!("file://{}", dir.join("apparmor.d/abstractions/base").display()), "{def}");
    let syms = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(syms[1]["name"], "foo", "{syms}");
    let status = c.shutdown();
    assert!(status.is_some_and(|s| s.success()), "exit status {status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn a_thousand_incremental_edits_keep_the_text_in_sync() {
    let dir = policy_dir("burst");
    let mut c = Client::start(&aa_lint_binary(), settings(&dir));
    c.initialize(&dir.join("apparmor.d"), settings(&dir));
    let uri = format!("file://{}", dir.join("apparmor.d/usr.bin.burst").display());
    let mut text = PROFILE.to_string();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "apparmor", "version": 1, "text": text } }),
    );
    let pieces = ["a", ",", "\n", " ", "é", "😀", "{", "}", "capability ", "/x r,\n", "\r\n", "@{HOME}"];
    let mut rng = Lcg(42);
    let mut version = 1;
    for _ in 0..1000 {
        // A random range on character boundaries (possibly empty), replaced by a random piece (possibly nothing).
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
        let a = boundaries[rng.next(boundaries.len())];
        let b = if rng.next(3) == 0 { boundaries[rng.next(boundaries.len())] } else { a };
        let (start, end) = (a.min(b), a.max(b));
        // Never split a \r\n pair: the client and server must agree on lines.
        let splits_crlf =
            |i: usize| i > 0 && i < text.len() && text.as_bytes()[i - 1] == b'\r' && text.as_bytes()[i] == b'\n';
        if splits_crlf(start) || splits_crlf(end) {
            continue;
        }
        let insert = if rng.next(4) == 0 { "" } else { pieces[rng.next(pieces.len())] };
        let (sl, sc) = utf16_position(&text, start);
        let (el, ec) = utf16_position(&text, end);
        text.replace_range(start..end, insert);
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": { "start": { "line": sl, "character": sc }, "end": { "line": el, "character": ec } }, "text": insert }],
            }),
        );
    }
    let server = c.request("aa/documentText", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(server["version"], version);
    assert_eq!(server["text"].as_str(), Some(text.as_str()), "server text differs from the client's");
    assert_eq!(server["analysis_in_sync"], true);
    let tree = c.request("aa/syntaxTree", json!({ "textDocument": { "uri": uri } }));
    let first = tree["tree"].as_str().unwrap().lines().next().unwrap().to_string();
    assert_eq!(first, format!("SOURCE_FILE@0..{}", text.len()));
    // The last diagnostics are for the last version.
    let mut last = None;
    while let Some(d) = c.diagnostics(&uri, Duration::from_secs(5)) {
        last = Some(d);
        if last.as_ref().is_some_and(|d| d["version"] == version) {
            break;
        }
    }
    assert_eq!(last.map(|d| d["version"].clone()), Some(json!(version)));
    assert!(c.shutdown().is_some_and(|s| s.success()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn server_exits_when_stdin_closes() {
    let mut c = Client::start(&aa_lint_binary(), Value::Null);
    drop(c.child.stdin.take());
    // Our copy of stdin is held by the client; end the session the way an editor crash does.
    let id = c.send_request("shutdown", Value::Null);
    let _ = c.response(id);
    c.notify("exit", Value::Null);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut exited = false;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = c.child.try_wait() {
            exited = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(exited, "the server did not exit after `exit`");
}
