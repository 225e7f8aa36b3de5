//! The language server, in-process over in-memory files, driven by a
//! session decoded from the input: opens, incremental and full edits,
//! closes, settings changes, requests of every kind (some cancelled, some
//! racing a close), unknown methods. Every request gets an answer that is
//! not an internal error (the server turns a panic into one); formatting's
//! edits give what `aa-fmt` gives; every published diagnostic lies inside
//! the text of the version it names; and afterwards the server still
//! answers, and its copy of every open document equals the client's.
//!
//! Positions are UTF-16, as most clients send them; the client's side of
//! the conversions below is written from the LSP specification (a
//! character past the end of a line means its end; the server also reads
//! a line past the last as the end of the text).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tower::{Service as _, ServiceExt as _};
use tower_lsp_server::{
    LspService,
    jsonrpc::{Request, Response},
};

use crate::SEPARATOR;

/// The documents a session may open, under a base directory no real file
/// is in (the server looks for `aa-lint.toml` files and walks its folders).
const BASE: &str = "/aa-fuzz/apparmor.d";
const DOCS: [&str; 3] = ["usr.bin.fuzz", "abstractions/fuzz", "local/usr.bin.fuzz"];

/// At most this many operations per input, to keep each run short.
const MAX_OPS: usize = 64;

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
    runtime.block_on(session(text));
}

fn uri(doc: usize) -> String {
    format!("file://{BASE}/{}", DOCS[doc % DOCS.len()])
}

/// The client's copy of a document.
#[derive(Debug, Clone, Default)]
struct Doc {
    text: String,
    version: i32,
    open: bool,
}

/// One operation's parameters, from the first characters of its part.
struct Op<'a> {
    code: u32,
    doc: usize,
    a: u32,
    b: u32,
    payload: &'a str,
}

fn parse_op(part: &str) -> Op<'_> {
    let mut chars = part.char_indices();
    let mut next = || chars.next().map_or((part.len(), 0), |(i, c)| (i, c as u32));
    let (_, code) = next();
    let (_, doc) = next();
    let (_, a) = next();
    let (end, b) = next();
    let payload = part.get(end + part[end..].chars().next().map_or(0, char::len_utf8)..).unwrap_or("");
    Op { code, doc: doc as usize, a, b, payload }
}

struct Client {
    service: LspService<aa_lsp::Backend>,
    next_id: i64,
    docs: Vec<Doc>,
    /// `(uri, version)` → the client's text at that version.
    history: HashMap<(String, i32), String>,
    published: Arc<Mutex<Vec<Value>>>,
}

async fn session(text: &str) {
    let loader = Arc::new(aa_hir::db::MemoryLoader::default());
    let (service, socket) = aa_lsp::service_with(loader, Duration::from_millis(1));
    let published = Arc::new(Mutex::new(Vec::new()));
    let settings = json!({ "includePaths": [], "baseDir": BASE, "lint": { "select": [], "ignore": [] } });
    tokio::spawn(serve_client_side(socket, settings.clone(), published.clone()));
    let mut client =
        Client { service, next_id: 0, docs: vec![Doc::default(); DOCS.len()], history: HashMap::new(), published };
    let init = client
        .request(
            "initialize",
            json!({
                "capabilities": { "general": { "positionEncodings": ["utf-16"] } },
                "rootUri": format!("file://{BASE}"),
                "initializationOptions": settings,
            }),
        )
        .await;
    assert!(init.get("capabilities").is_some(), "initialize: {init}");
    client.notify("initialized", json!({})).await;

    let mut parts = text.split(SEPARATOR);
    client.open(0, parts.next().unwrap_or("")).await;
    for part in parts.take(MAX_OPS) {
        client.run(parse_op(part)).await;
    }
    client.finish().await;
}

/// Answers the server's requests to the client and keeps its diagnostics.
async fn serve_client_side(socket: tower_lsp_server::ClientSocket, settings: Value, published: Arc<Mutex<Vec<Value>>>) {
    let (mut stream, mut sink) = socket.split();
    while let Some(req) = stream.next().await {
        match req.id().cloned() {
            Some(id) => {
                let result = match req.method() {
                    "workspace/configuration" => json!([settings]),
                    "workspace/applyEdit" => json!({ "applied": false }),
                    _ => Value::Null,
                };
                let _ = sink.send(Response::from_ok(id, result)).await;
            }
            None if req.method() == "textDocument/publishDiagnostics" => {
                published.lock().unwrap().push(req.params().cloned().unwrap_or(Value::Null));
            }
            None => {}
        }
    }
}

/// The error codes a request may legitimately end with.
const EXPECTED_ERRORS: [i64; 4] = [
    -32602, // invalid params (a document that is not open, a bad rename)
    -32601, // method not found
    -32800, // request cancelled
    -32801, // content modified
];

impl Client {
    fn build(&mut self, method: &str, params: Value) -> Request {
        self.next_id += 1;
        Request::build(method.to_owned()).id(self.next_id).params(params).finish()
    }

    fn start(&mut self, req: Request) -> impl Future<Output = Option<Response>> + use<> {
        let service = &mut self.service;
        let call = futures_util::FutureExt::now_or_never(service.ready()).map(|s| s.map(|s| s.call(req)));
        async move {
            match call {
                Some(Ok(future)) => future.await.expect("the server is alive"),
                _ => panic!("the server stopped accepting requests"),
            }
        }
    }

    /// The result of a request, or `{"error": {...}}` for an expected error.
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let req = self.build(method, params);
        let answer = self.start(req).await;
        result_of(method, answer)
    }

    async fn notify(&mut self, method: &str, params: Value) {
        let req = Request::build(method.to_owned()).params(params).finish();
        let answer = self.start(req).await;
        assert!(answer.is_none(), "{method}: a notification was answered: {answer:?}");
    }

    async fn open(&mut self, doc: usize, text: &str) {
        let doc = doc % DOCS.len();
        if self.docs[doc].open {
            return;
        }
        let version = self.docs[doc].version + 1;
        self.docs[doc] = Doc { text: text.to_owned(), version, open: true };
        self.history.insert((uri(doc), version), text.to_owned());
        let params =
            json!({ "textDocument": { "uri": uri(doc), "languageId": "apparmor", "version": version, "text": text } });
        self.notify("textDocument/didOpen", params).await;
    }

    async fn change(&mut self, doc: usize, range: Option<Value>, text: &str) {
        let version = self.docs[doc].version + 1;
        let change = match &range {
            Some(range) => json!({ "range": range, "text": text }),
            None => json!({ "text": text }),
        };
        let params = json!({ "textDocument": { "uri": uri(doc), "version": version }, "contentChanges": [change] });
        self.notify("textDocument/didChange", params).await;
        // The server ignores changes to documents that are not open.
        let d = &mut self.docs[doc];
        if d.open {
            d.version = version;
            match range {
                Some(range) => {
                    let start = offset(&d.text, &range["start"]);
                    let end = offset(&d.text, &range["end"]).max(start);
                    d.text.replace_range(start..end, text);
                }
                None => d.text = text.to_owned(),
            }
            self.history.insert((uri(doc), version), d.text.clone());
        }
    }

    async fn close(&mut self, doc: usize) {
        self.docs[doc].open = false;
        self.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri(doc) } })).await;
    }

    async fn run(&mut self, op: Op<'_>) {
        let doc = op.doc % DOCS.len();
        let text = self.docs[doc].text.clone();
        let at = |n: u32| json!({ "line": n % (line_starts(&text).len() as u32 + 2), "character": n / 7 % 120 });
        let td = json!({ "uri": uri(doc) });
        let pos = json!({ "textDocument": td, "position": at(op.a) });
        let range = json!({ "start": at(op.a.min(op.b)), "end": at(op.a.max(op.b)) });
        match op.code % 26 {
            0 => self.open(doc, op.payload).await,
            1..=4 => {
                let range = edit_range(&text, op.a, op.b);
                self.change(doc, Some(range), op.payload).await;
            }
            5 => self.change(doc, None, op.payload).await,
            6 => self.close(doc).await,
            7 => {
                let _ = self.request("textDocument/hover", pos).await;
            }
            8 => {
                let _ = self.request("textDocument/completion", pos).await;
            }
            9 => {
                let _ = self.request("textDocument/definition", pos).await;
            }
            10 => {
                let mut params = pos;
                params["context"] = json!({ "includeDeclaration": op.b.is_multiple_of(2) });
                let _ = self.request("textDocument/references", params).await;
            }
            11 => {
                let _ = self.request("textDocument/documentHighlight", pos).await;
            }
            12 => {
                let _ = self.request("textDocument/prepareRename", pos.clone()).await;
                let mut params = pos;
                params["newName"] = json!(op.payload);
                let _ = self.request("textDocument/rename", params).await;
            }
            13 => {
                let _ = self.request("textDocument/documentSymbol", json!({ "textDocument": td })).await;
                let _ = self.request("workspace/symbol", json!({ "query": op.payload })).await;
            }
            14 => {
                let _ = self.request("textDocument/foldingRange", json!({ "textDocument": td })).await;
                let params = json!({ "textDocument": td, "positions": [at(op.a), at(op.b)] });
                let _ = self.request("textDocument/selectionRange", params).await;
            }
            15 => {
                let _ = self.request("textDocument/semanticTokens/full", json!({ "textDocument": td })).await;
                let params = json!({ "textDocument": td, "range": range });
                let _ = self.request("textDocument/semanticTokens/range", params).await;
            }
            16 => {
                let params = json!({ "textDocument": td, "range": range, "context": { "diagnostics": [] } });
                let _ = self.request("textDocument/codeAction", params).await;
            }
            17 => self.format(doc).await,
            18 => {
                let params =
                    json!({ "textDocument": td, "range": range, "options": { "tabSize": 2, "insertSpaces": true } });
                let _ = self.request("textDocument/rangeFormatting", params).await;
            }
            19 => {
                let params = json!({ "textDocument": td, "range": range });
                let _ = self.request("textDocument/inlayHint", params).await;
                let _ = self.request("textDocument/codeLens", json!({ "textDocument": td })).await;
                let _ = self.request("textDocument/documentLink", json!({ "textDocument": td })).await;
            }
            20 => {
                let items = self.request("textDocument/prepareCallHierarchy", pos).await;
                if let Some(item) = items.as_array().and_then(|items| items.first()).cloned() {
                    let _ = self.request("callHierarchy/incomingCalls", json!({ "item": item })).await;
                    let _ = self.request("callHierarchy/outgoingCalls", json!({ "item": item })).await;
                }
            }
            21 => {
                let _ = self.request("aa/syntaxTree", json!({ "textDocument": td })).await;
                let _ = self.request("aa/fuzzUnknown", json!({ "x": op.payload })).await;
            }
            22 => {
                let select: Vec<&str> = op.payload.split(',').take(4).collect();
                let settings = json!({ "settings": { "aa-lint": { "baseDir": BASE, "lint": { "select": select, "ignore": [] } } } });
                self.notify("workspace/didChangeConfiguration", settings).await;
            }
            // A request cancelled before or while it runs.
            23 | 24 => {
                let method = if op.code % 26 == 23 { "textDocument/hover" } else { "textDocument/formatting" };
                let mut params = pos;
                params["options"] = json!({ "tabSize": 2, "insertSpaces": true });
                let req = self.build(method, params);
                let id = self.next_id;
                let pending = tokio::spawn(self.start(req));
                if op.b.is_multiple_of(2) {
                    tokio::task::yield_now().await;
                }
                self.notify("$/cancelRequest", json!({ "id": id })).await;
                let answer = pending.await.expect("the request task");
                let _ = result_of(method, answer);
            }
            // A request on a document closed while it runs.
            _ => {
                let req = self.build("textDocument/documentSymbol", json!({ "textDocument": td }));
                let pending = tokio::spawn(self.start(req));
                tokio::task::yield_now().await;
                self.close(doc).await;
                let answer = pending.await.expect("the request task");
                let _ = result_of("textDocument/documentSymbol", answer);
            }
        }
    }

    /// Formatting's edits turn the client's text into what `aa-fmt` makes of it.
    async fn format(&mut self, doc: usize) {
        let params = json!({ "textDocument": { "uri": uri(doc) }, "options": { "tabSize": 2, "insertSpaces": true } });
        let edits = self.request("textDocument/formatting", params).await;
        let d = &self.docs[doc];
        if !d.open || edits.get("error").is_some() {
            return;
        }
        let Ok(want) = aa_fmt::format(&d.text, &aa_fmt::FormatOptions::default()) else { return };
        let Some(edits) = edits.as_array() else { panic!("formatting answered {edits} for a text that formats") };
        let mut spans: Vec<(usize, usize, &str)> = edits
            .iter()
            .map(|e| {
                (
                    offset(&d.text, &e["range"]["start"]),
                    offset(&d.text, &e["range"]["end"]),
                    e["newText"].as_str().unwrap(),
                )
            })
            .collect();
        spans.sort_by_key(|s| std::cmp::Reverse((s.0, s.1)));
        let mut got = d.text.clone();
        for (start, end, new) in spans {
            got.replace_range(start..end.max(start), new);
        }
        assert!(got == want, "formatting's edits give\n{got:?}\ninstead of\n{want:?}");
    }

    /// The server answers, its documents equal the client's, its published
    /// diagnostics fit their versions, and it shuts down cleanly.
    async fn finish(&mut self) {
        for doc in 0..DOCS.len() {
            let answer = self.request("aa/documentText", json!({ "textDocument": { "uri": uri(doc) } })).await;
            let d = &self.docs[doc];
            if !d.open {
                assert!(answer.get("error").is_some(), "{}: closed, but the server has {answer}", uri(doc));
                continue;
            }
            assert_eq!(answer["text"].as_str(), Some(d.text.as_str()), "{}: the server's text differs", uri(doc));
            assert_eq!(answer["version"], json!(d.version), "{}: the server's version differs", uri(doc));
            assert_eq!(answer["analysis_in_sync"], json!(true), "{}: the analysis has another text", uri(doc));
        }
        // Let pending diagnostics out before checking them.
        tokio::time::sleep(Duration::from_millis(5)).await;
        for params in self.published.lock().unwrap().iter() {
            let (Some(uri), Some(version)) = (params["uri"].as_str(), params["version"].as_i64()) else { continue };
            let Some(text) = self.history.get(&(uri.to_owned(), version as i32)) else {
                panic!("diagnostics for {uri} version {version}, which the client never sent")
            };
            for d in params["diagnostics"].as_array().into_iter().flatten() {
                assert_position_in(text, &d["range"]["start"], uri);
                assert_position_in(text, &d["range"]["end"], uri);
            }
        }
        let shutdown = self.request("shutdown", Value::Null).await;
        assert_eq!(shutdown, Value::Null, "shutdown");
    }
}

fn result_of(method: &str, answer: Option<Response>) -> Value {
    let Some(answer) = answer else { panic!("{method}: no answer") };
    match answer.into_parts().1 {
        Ok(value) => value,
        Err(e) => {
            assert!(EXPECTED_ERRORS.contains(&e.code.code()), "{method}: error {} {}", e.code.code(), e.message);
            json!({ "error": { "code": e.code.code(), "message": e.message } })
        }
    }
}

/// An edit range from two numbers: offsets into `text` (anywhere, at a
/// character boundary not inside a `\r\n`), sometimes with the end's
/// character past its line's end.
fn edit_range(text: &str, a: u32, b: u32) -> Value {
    let pick = |n: u32| {
        let mut at = n as usize % (text.len() + 1);
        while !text.is_char_boundary(at) || (at > 0 && text[..at].ends_with('\r') && text[at..].starts_with('\n')) {
            at -= 1;
        }
        at
    };
    let (start, end) = (pick(a).min(pick(b)), pick(a).max(pick(b)));
    let mut end = position(text, end);
    if b % 8 == 7 {
        end["character"] = json!(end["character"].as_u64().unwrap() + 3);
    }
    json!({ "start": position(text, start), "end": end })
}

/// Byte offsets where lines start: after `\n`, `\r\n` and a lone `\r`.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

/// The end of line `line`'s text, without its line break.
fn line_end(text: &str, starts: &[usize], line: usize) -> usize {
    let end = starts.get(line + 1).copied().unwrap_or(text.len());
    let content = &text[starts[line]..end];
    starts[line] + content.trim_end_matches('\n').trim_end_matches('\r').len()
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// A byte offset as an LSP position (UTF-16).
fn position(text: &str, offset: usize) -> Value {
    let starts = line_starts(text);
    let line = starts.partition_point(|&s| s <= offset) - 1;
    json!({ "line": line, "character": utf16_len(&text[starts[line]..offset]) })
}

/// An LSP position as a byte offset: past a line's end is its end; past
/// the last line, the end of the text.
fn offset(text: &str, pos: &Value) -> usize {
    let starts = line_starts(text);
    let (line, character) = (pos["line"].as_u64().unwrap() as usize, pos["character"].as_u64().unwrap() as usize);
    if line >= starts.len() {
        return text.len();
    }
    let (start, end) = (starts[line], line_end(text, &starts, line));
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        if units + c.len_utf16() > character {
            return start + i;
        }
        units += c.len_utf16();
    }
    end
}

fn assert_position_in(text: &str, pos: &Value, uri: &str) {
    let starts = line_starts(text);
    let line = pos["line"].as_u64().unwrap() as usize;
    assert!(line < starts.len(), "{uri}: diagnostic on line {line} of {}", starts.len());
    let len = utf16_len(&text[starts[line]..line_end(text, &starts, line)]);
    assert!(pos["character"].as_u64().unwrap() as usize <= len, "{uri}: diagnostic at {pos} past its line ({len})");
}
