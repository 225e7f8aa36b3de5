//! The real `aa-lint lsp` over stdio, fed malformed JSON-RPC: each bad
//! message gets a protocol error (or is dropped), and the server still
//! answers afterwards.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Client, aa_lint_binary};

fn settings(dir: &std::path::Path) -> Value {
    json!({ "includePaths": [], "baseDir": dir, "lint": { "select": [], "ignore": [] } })
}

const PROFILE: &str = "profile foo {\n  capability chown,\n  /etc/foo r,\n}\n";

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The server answers a real request on the open document.
fn assert_alive(c: &mut Client, uri: &str, after: &str) {
    let id = c.send_request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let msg = c.response(id);
    assert!(msg.get("error").is_none(), "after {after}: {msg}");
    assert_eq!(msg["result"][0]["name"], "foo", "after {after}: {msg}");
    assert!(c.child.try_wait().ok().flatten().is_none(), "the server exited after {after}");
}

/// An error answer with `id: null` (a message the server could not read),
/// among whatever else arrives within `timeout`.
fn null_id_error(c: &mut Client, timeout: Duration) -> Option<Value> {
    let deadline = std::time::Instant::now() + timeout;
    while let Some(msg) = c.next_message(deadline.saturating_duration_since(std::time::Instant::now())) {
        if msg["id"].is_null() && msg.get("error").is_some() {
            return Some(msg);
        }
        c.backlog.push(msg);
    }
    None
}

#[test]
fn malformed_messages_get_errors_and_the_server_survives() {
    let dir = std::env::temp_dir().join(format!("aa-lsp-malformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = Client::start(&aa_lint_binary(), settings(&dir));

    // A request before `initialize`: "server not initialized".
    let id = c.send_request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///x" }, "position": { "line": 0, "character": 0 } }),
    );
    let early = c.response(id);
    assert_eq!(early["error"]["code"], -32002, "{early}");

    c.initialize(&dir, settings(&dir));
    let uri = format!("file://{}/usr.bin.foo", dir.display());
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "apparmor", "version": 1, "text": PROFILE } }),
    );
    assert_alive(&mut c, &uri, "didOpen");

    // Invalid JSON, correctly framed: a parse error.
    c.send_raw(&frame(b"{\"jsonrpc\":\"2.0\",\"id\":"));
    let parse_error = null_id_error(&mut c, Duration::from_secs(10)).expect("a parse error answer");
    assert_eq!(parse_error["error"]["code"], -32700, "{parse_error}");
    assert_alive(&mut c, &uri, "invalid JSON");

    // A body that is not UTF-8.
    c.send_raw(&frame(&[0xff, 0xfe, 0x7b, 0x80]));
    let utf8_error = null_id_error(&mut c, Duration::from_secs(10)).expect("an answer to a non-UTF-8 body");
    assert_eq!(utf8_error["error"]["code"], -32700, "{utf8_error}");
    assert_alive(&mut c, &uri, "invalid UTF-8");

    // JSON that is not a JSON-RPC message.
    c.send_raw(&frame(b"[1, 2, 3]"));
    let _ = null_id_error(&mut c, Duration::from_secs(2));
    assert_alive(&mut c, &uri, "a JSON array");

    // A bad Content-Length header, then one too short for its body: the
    // server skips to the next header it can read.
    c.send_raw(b"Content-Length: abc\r\n\r\n{}");
    let _ = null_id_error(&mut c, Duration::from_secs(2));
    assert_alive(&mut c, &uri, "a Content-Length that is not a number");
    c.send_raw(b"Content-Length: 5\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\"}");
    let _ = null_id_error(&mut c, Duration::from_secs(2));
    assert_alive(&mut c, &uri, "a Content-Length shorter than its body");

    // Unknown methods: a request gets "method not found", a notification nothing.
    let id = c.send_request("aa/noSuchMethod", json!({}));
    let unknown = c.response(id);
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    c.notify("aa/noSuchNotification", json!({ "x": 1 }));
    // Known method, wrong parameters: "invalid params".
    let id = c.send_request("textDocument/hover", json!({ "nonsense": true }));
    let invalid = c.response(id);
    assert_eq!(invalid["error"]["code"], -32602, "{invalid}");
    assert_alive(&mut c, &uri, "unknown methods and bad parameters");

    // Positions past the end of the document, and past the end of a line.
    for (line, character) in [(1000, 0), (0, 1000), (u32::MAX, u32::MAX)] {
        let pos = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        for method in ["textDocument/hover", "textDocument/completion", "textDocument/definition"] {
            let id = c.send_request(method, pos.clone());
            let msg = c.response(id);
            assert!(msg.get("result").is_some() || msg.get("error").is_some(), "{method} at {line}:{character}: {msg}");
        }
        let range = json!({ "start": { "line": line, "character": character }, "end": { "line": line, "character": character } });
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "range": range, "text": "x" }] }),
        );
    }
    // The edits out of range did not corrupt the text: reset it whole.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [{ "text": PROFILE }] }),
    );
    assert_alive(&mut c, &uri, "positions beyond the end");

    // A document closed while requests on it run.
    let other = format!("file://{}/usr.bin.closed", dir.display());
    let big: String = (0..300).map(|i| format!("profile p{i} {{\n  /etc/p{i} r,\n}}\n")).collect();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": other, "languageId": "apparmor", "version": 1, "text": big } }),
    );
    let ids: Vec<i64> = ["textDocument/documentSymbol", "textDocument/semanticTokens/full", "textDocument/codeLens"]
        .iter()
        .map(|m| c.send_request(m, json!({ "textDocument": { "uri": other } })))
        .collect();
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": other } }));
    // Every request is answered (a result, "content modified" or "not
    // open"), in whatever order.
    let mut waiting = ids;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !waiting.is_empty() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let msg = c.next_message(left).unwrap_or_else(|| panic!("no answer to {waiting:?}"));
        if msg.get("method").is_none()
            && let Some(i) = waiting.iter().position(|id| msg["id"] == *id)
        {
            assert!(msg.get("result").is_some() || msg.get("error").is_some(), "{msg}");
            waiting.remove(i);
        }
    }
    // And requests on a document that is not open at all.
    let id = c.send_request("textDocument/documentSymbol", json!({ "textDocument": { "uri": other } }));
    let msg = c.response(id);
    assert!(msg.get("result").is_some() || msg.get("error").is_some(), "{msg}");
    assert_alive(&mut c, &uri, "closing a document with requests running");

    let status = c.shutdown();
    assert!(status.is_some_and(|s| s.success()), "exit status {status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
