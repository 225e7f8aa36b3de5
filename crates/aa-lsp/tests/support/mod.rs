//! A minimal LSP client over a real `aa-lint lsp` process (used by the
//! stdio tests and the latency benchmark).

#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader, Read, Write},
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Arc, Mutex, mpsc},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

/// Builds `aa-lint` (same profile and target directory as this test) and returns its path.
pub fn aa_lint_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> → target/<profile>
    let profile_dir = exe.parent().and_then(|p| p.parent()).expect("target dir").to_path_buf();
    let profile = profile_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "-q", "-p", "aa-lint", "--bin", "aa-lint"]);
    // `debug` is the dev profile's directory; any other is its profile's name.
    match profile.as_str() {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    if let Some(target) = profile_dir.parent() {
        cmd.env("CARGO_TARGET_DIR", target);
    }
    let status = cmd.status().expect("run cargo build");
    assert!(status.success(), "cargo build -p aa-lint failed");
    profile_dir.join("aa-lint")
}

pub struct Client {
    pub child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    messages: mpsc::Receiver<Value>,
    next_id: i64,
    /// Notifications seen while waiting for responses.
    pub backlog: Vec<Value>,
}

fn write_message(stdin: &Mutex<ChildStdin>, msg: &Value) {
    let body = serde_json::to_vec(msg).expect("json");
    let mut stdin = stdin.lock().unwrap_or_else(|e| e.into_inner());
    let _ = write!(stdin, "Content-Length: {}\r\n\r\n", body.len());
    let _ = stdin.write_all(&body);
    let _ = stdin.flush();
}

impl Client {
    /// Starts `aa-lint lsp`; `settings` answers `workspace/configuration`.
    pub fn start(binary: &std::path::Path, settings: Value) -> Client {
        let mut child = Command::new(binary)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aa-lint lsp");
        let stdin = Arc::new(Mutex::new(child.stdin.take().expect("stdin")));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        let writer = stdin.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse::<usize>().ok();
                    }
                }
                let Some(len) = len else { return };
                let mut body = vec![0; len];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let Ok(msg) = serde_json::from_slice::<Value>(&body) else { return };
                if msg.get("method").is_some() && msg.get("id").is_some() {
                    // A request from the server: answer it here.
                    let result =
                        if msg["method"] == "workspace/configuration" { json!([settings]) } else { Value::Null };
                    write_message(&writer, &json!({ "jsonrpc": "2.0", "id": msg["id"], "result": result }));
                    continue;
                }
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client { child, stdin, messages: rx, next_id: 0, backlog: Vec::new() }
    }

    /// Writes bytes to the server as they are (for malformed messages).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let mut stdin = self.stdin.lock().unwrap_or_else(|e| e.into_inner());
        let _ = stdin.write_all(bytes);
        let _ = stdin.flush();
    }

    /// The next message that is not a notification or a response to a
    /// request of ours with a number id: an error answer with `id: null`.
    pub fn next_message(&mut self, timeout: Duration) -> Option<Value> {
        self.messages.recv_timeout(timeout).ok()
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        write_message(&self.stdin, &json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        write_message(
            &self.stdin,
            &json!({ "jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params }),
        );
        self.next_id
    }

    /// The full response message (`result` or `error`).
    pub fn response(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self.messages.recv_timeout(left).expect("a response in time");
            if msg["id"] == id && msg.get("method").is_none() {
                return msg;
            }
            self.backlog.push(msg);
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        let msg = self.response(id);
        assert!(msg.get("error").is_none(), "{method}: {msg}");
        msg["result"].clone()
    }

    /// The next diagnostics published for `uri` (looking at the backlog first).
    pub fn diagnostics(&mut self, uri: &str, timeout: Duration) -> Option<Value> {
        if let Some(i) = self
            .backlog
            .iter()
            .position(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        {
            return Some(self.backlog.remove(i)["params"].clone());
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self.messages.recv_timeout(left).ok()?;
            if msg["method"] == "textDocument/publishDiagnostics" && msg["params"]["uri"] == uri {
                return Some(msg["params"].clone());
            }
            self.backlog.push(msg);
        }
    }

    pub fn initialize(&mut self, root: &std::path::Path, options: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": format!("file://{}", root.display()),
                "capabilities": { "general": { "positionEncodings": ["utf-16"] }, "workspace": { "configuration": true } },
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// `shutdown` and `exit`; the exit status, if the process ended in time.
    pub fn shutdown(mut self) -> Option<std::process::ExitStatus> {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        None
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// UTF-16 position of byte `offset` in `text`.
pub fn utf16_position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    (line as u32, character as u32)
}
