//! Latency of the log hint in the real server over stdio: Debian's
//! `bin.ping` with the system's abstractions (`/etc/apparmor.d`) and a log
//! of 10,000 records for profile `ping`, written by this benchmark from a
//! seeded generator (30 % `/proc/PID/cmdline` reads with random pids, 50 %
//! reads and writes of 300 files, capabilities, network, signals).
//!
//! Measured, once the log is read (the first open waits for it):
//! - open: `didOpen` of the profile with a text not seen before (no cached
//!   hint) → the `publishDiagnostics` carrying the hint;
//! - change: a typed character → the hint again (computed anew).
//!
//! `cargo bench -p aa-lsp --bench log_hint` prints medians; with no
//! `/etc/apparmor.d/bin.ping` it says so and exits.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Client, aa_lint_binary};

const RECORDS: usize = 10_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A small deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn log() -> String {
    let mut rng = Lcg(14);
    let mut out = String::new();
    for i in 0..RECORDS {
        let head = format!("type=AVC msg=audit(1765000000.{i:03}:{i}): apparmor=\"DENIED\"");
        let pid = 1000 + rng.next(30_000);
        let line = match rng.next(100) {
            0..30 => format!(
                "{head} operation=\"open\" class=\"file\" profile=\"ping\" name=\"/proc/{pid}/cmdline\" pid={pid} comm=\"ping\" requested_mask=\"r\" denied_mask=\"r\" fsuid=1000 ouid=1000"
            ),
            30..80 => {
                let (op, mask) = if rng.next(2) == 0 { ("open", "r") } else { ("open", "w") };
                let file = rng.next(300);
                format!(
                    "{head} operation=\"{op}\" class=\"file\" profile=\"ping\" name=\"/var/lib/ping/f{file}\" pid={pid} comm=\"ping\" requested_mask=\"{mask}\" denied_mask=\"{mask}\" fsuid=0 ouid=0"
                )
            }
            80..90 => {
                let (n, name) =
                    [(12, "net_admin"), (21, "sys_admin"), (7, "setuid"), (6, "setgid")][rng.next(4) as usize];
                format!(
                    "{head} operation=\"capable\" class=\"cap\" profile=\"ping\" pid={pid} comm=\"ping\" capability={n} capname=\"{name}\""
                )
            }
            90..95 => format!(
                "{head} operation=\"create\" class=\"net\" profile=\"ping\" pid={pid} comm=\"ping\" family=\"inet6\" sock_type=\"dgram\" protocol=17 requested=\"create\" denied=\"create\""
            ),
            _ => format!(
                "{head} operation=\"signal\" class=\"signal\" profile=\"ping\" pid={pid} comm=\"ping\" requested_mask=\"send\" denied_mask=\"send\" signal=term peer=\"unconfined\""
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Waits for the diagnostics of `uri` that carry the log hint.
fn hint(c: &mut Client, uri: &str) -> Option<Value> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let d = c.diagnostics(uri, Duration::from_secs(120))?;
        if d["diagnostics"].as_array()?.iter().any(|d| d["code"] == "logged-events") {
            return Some(d);
        }
    }
    None
}

/// The CPU time the server process has used (user + system), from
/// `/proc` (clock ticks of 10 ms): a figure the machine's load does not
/// inflate, unlike the wall times.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn main() {
    let base = std::path::Path::new("/etc/apparmor.d");
    let path = base.join("bin.ping");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("no {}: nothing to measure", path.display());
        return;
    };
    let dir = std::env::temp_dir().join(format!("aa-lsp-log-hint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log_file = dir.join("audit.log");
    std::fs::write(&log_file, log()).unwrap();
    let uri = format!("file://{}", path.display());
    let settings = json!({
        "includePaths": [], "baseDir": base, "lint": { "select": [], "ignore": [] },
        "suggest": { "logFile": log_file },
    });
    let mut c = Client::start(&aa_lint_binary(), settings.clone());
    c.initialize(base, settings);
    let open = |c: &mut Client, version: i32, text: &str| {
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "apparmor", "version": version, "text": text } }),
        );
    };
    let t = Instant::now();
    open(&mut c, 1, &text);
    let first = hint(&mut c, &uri).expect("a hint");
    let first_time = t.elapsed();
    let message = first["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "logged-events")
        .map(|d| d["message"].as_str().unwrap_or_default().lines().next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    println!("{RECORDS} records; the hint: {message}");
    println!("first open (server start, log read and parsed, first analysis): {first_time:?}");
    let mut opens = Vec::new();
    let mut changes = Vec::new();
    let pid = c.child.id();
    let cpu_before = cpu_time(pid);
    for round in 0..7 {
        c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
        let _ = c.diagnostics(&uri, Duration::from_secs(10));
        // A text not seen before: nothing cached.
        let new = format!("# round {round}\n{text}");
        let t = Instant::now();
        open(&mut c, 2, &new);
        hint(&mut c, &uri).expect("a hint after opening");
        opens.push(t.elapsed());
        let t = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 3 },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "x" }],
            }),
        );
        hint(&mut c, &uri).expect("a hint after a change");
        changes.push(t.elapsed());
    }
    if let (Some(before), Some(after)) = (cpu_before, cpu_time(pid)) {
        let per = (after - before) / (2 * opens.len() as u32);
        println!("server CPU per hint (open or change, lints included): {per:?} (over {} hints)", 2 * opens.len());
    }
    println!(
        "open -> hint: median {:?} (min {:?}, max {:?}, {} runs)",
        median(opens.clone()),
        opens.iter().min().unwrap(),
        opens.iter().max().unwrap(),
        opens.len()
    );
    println!(
        "change -> hint: median {:?} (min {:?}, max {:?}, {} runs)",
        median(changes.clone()),
        changes.iter().min().unwrap(),
        changes.iter().max().unwrap(),
        changes.len()
    );
    let _ = c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
