//! The `LspService` driven in-process: a test client that initializes,
//! opens, changes, requests and snapshots JSON answers (paths under the
//! per-test directory shown as `$DIR`). Shared by the in-process tests.

#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use expect_test::Expect;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::{
    LspService,
    jsonrpc::{Request, Response},
};

pub struct TestServer {
    pub service: LspService<aa_lsp::Backend>,
    pub notifications: mpsc::UnboundedReceiver<Request>,
    pub next_id: i64,
    pub dir: PathBuf,
}

/// Lint documentation pages, as the `docsUrl` setting gives them.
pub const DOCS: &str = "https://aa-lint.example/docs/lints";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory with a small policy tree: `apparmor.d/abstractions/base`
/// and `apparmor.d/tunables/global`.
pub fn policy_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "aa-lsp-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let base = dir.join("apparmor.d");
    std::fs::create_dir_all(base.join("abstractions")).unwrap();
    std::fs::create_dir_all(base.join("tunables")).unwrap();
    std::fs::write(base.join("abstractions/base"), "capability chown,\n/etc/ld.so.cache r,\nnetwork inet stream,\n")
        .unwrap();
    std::fs::write(base.join("abstractions/broken"), "/x rwz,\n").unwrap();
    std::fs::write(base.join("tunables/global"), "@{HOME}=/home/*/ /root/\n@{PROC}=/proc/\n").unwrap();
    dir
}

impl TestServer {
    pub async fn start(utf8: bool) -> TestServer {
        let dir = policy_dir();
        let (service, socket) = aa_lsp::service_with(std::sync::Arc::new(aa_lsp::OsLoader), Duration::from_millis(5));
        let (tx, rx) = mpsc::unbounded_channel();
        let settings = json!({ "includePaths": [], "baseDir": dir.join("apparmor.d"), "lint": { "select": [], "ignore": [] }, "docsUrl": DOCS });
        tokio::spawn(async move {
            let (mut stream, mut sink) = socket.split();
            while let Some(req) = stream.next().await {
                // Answer the server's requests (workspace/configuration); pass notifications on.
                if let Some(id) = req.id().cloned() {
                    let result = match req.method() {
                        "workspace/configuration" => json!([settings]),
                        // Edits are recorded (passed on) and reported applied.
                        "workspace/applyEdit" => json!({ "applied": true }),
                        _ => Value::Null,
                    };
                    let applied = req.method() == "workspace/applyEdit";
                    let _ = sink.send(Response::from_ok(id, result)).await;
                    if applied {
                        let _ = tx.send(req);
                    }
                } else {
                    let _ = tx.send(req);
                }
            }
        });
        let mut server = TestServer { service, notifications: rx, next_id: 0, dir };
        let encodings = if utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) };
        let base = server.dir.join("apparmor.d");
        let init = server
            .request(
                "initialize",
                json!({
                    "capabilities": { "general": { "positionEncodings": encodings } },
                    "rootUri": uri(&base),
                    "initializationOptions": { "includePaths": [], "baseDir": base, "lint": { "select": [], "ignore": [] }, "docsUrl": DOCS },
                }),
            )
            .await;
        assert!(init.get("capabilities").is_some(), "{init}");
        server.notify("initialized", json!({})).await;
        server
    }

    pub async fn call(&mut self, req: Request) -> Option<Response> {
        self.service.ready().await.unwrap().call(req).await.unwrap()
    }

    /// The result, or `{"error": ...}`.
    pub async fn request(&mut self, method: &'static str, params: Value) -> Value {
        self.next_id += 1;
        let req = Request::build(method).id(self.next_id).params(params).finish();
        let resp = self.call(req).await.expect("a response");
        let (_, result) = resp.into_parts();
        match result {
            Ok(v) => v,
            Err(e) => json!({ "error": { "code": e.code.code(), "message": e.message } }),
        }
    }

    pub async fn notify(&mut self, method: &'static str, params: Value) {
        let req = Request::build(method).params(params).finish();
        assert!(self.call(req).await.is_none());
    }

    pub async fn open(&mut self, name: &str, text: &str) -> String {
        let path = self.dir.join("apparmor.d").join(name);
        let u = uri(&path);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": u, "languageId": "apparmor", "version": 1, "text": text } }),
        )
        .await;
        u
    }

    /// Waits for the next diagnostics of `uri`.
    pub async fn diagnostics(&mut self, uri: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let req = tokio::time::timeout_at(deadline, self.notifications.recv())
                .await
                .expect("diagnostics in time")
                .expect("channel open");
            if req.method() == "textDocument/publishDiagnostics" {
                let params = req.params().cloned().unwrap_or(Value::Null);
                if params["uri"] == uri {
                    return params;
                }
            }
        }
    }

    pub fn redact(&self, v: &Value) -> String {
        let text = serde_json::to_string_pretty(v).unwrap();
        text.replace(&uri(&self.dir), "file://$DIR").replace(&self.dir.display().to_string(), "$DIR")
    }

    pub fn check(&self, v: &Value, expect: Expect) {
        expect.assert_eq(&self.redact(v));
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

pub fn pos(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

/// Applies the `TextEdit`s of `edits` (LSP JSON, line/character in UTF-16
/// of ASCII text) to `text`, from the end.
pub fn apply_lsp_edits(text: &str, edits: &Value) -> String {
    let offset = |p: &Value| -> usize {
        let (line, ch) = (p["line"].as_u64().unwrap() as usize, p["character"].as_u64().unwrap() as usize);
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + ch
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (offset(&e["range"]["start"]), offset(&e["range"]["end"]), e["newText"].as_str().unwrap().to_string()))
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, &new);
    }
    out
}
