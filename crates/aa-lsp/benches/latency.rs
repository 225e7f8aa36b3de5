//! Latency of the real server over stdio on Debian's largest installed
//! profile with its abstractions (`/etc/apparmor.d`):
//! open → first diagnostics, and didChange → publishDiagnostics.
//!
//! `cargo bench -p aa-lsp --bench latency` prints medians; with no
//! `/etc/apparmor.d` it says so and exits.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{Client, aa_lint_binary, utf16_position};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let base = std::path::Path::new("/etc/apparmor.d");
    let Ok(entries) = std::fs::read_dir(base) else {
        println!("no /etc/apparmor.d: nothing to measure");
        return;
    };
    let largest = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .max_by_key(|e| e.metadata().map(|m| m.len()).unwrap_or(0));
    let Some(largest) = largest else { return };
    let path = largest.path();
    let text = std::fs::read_to_string(&path).expect("profile text");
    let uri = format!("file://{}", path.display());
    let binary = aa_lint_binary();
    let settings = json!({ "includePaths": [], "baseDir": base, "lint": { "select": [], "ignore": [] } });

    let mut opens = Vec::new();
    let mut changes = Vec::new();
    for _round in 0..5 {
        let mut c = Client::start(&binary, settings.clone());
        c.initialize(base, settings.clone());
        let t = Instant::now();
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "apparmor", "version": 1, "text": text } }),
        );
        c.diagnostics(&uri, Duration::from_secs(60)).expect("first diagnostics");
        opens.push(t.elapsed());
        // Type a comment at the end of the first line, one character per change.
        let at = text.find('\n').unwrap_or(text.len());
        let mut current = text.clone();
        for (i, ch) in " # x".chars().chain("abcdefghijklmnopqrst".chars()).enumerate() {
            let offset = at + i;
            let (line, character) = utf16_position(&current, offset);
            current.insert(offset, ch);
            let t = Instant::now();
            c.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": uri, "version": i + 2 },
                    "contentChanges": [{ "range": { "start": { "line": line, "character": character }, "end": { "line": line, "character": character } }, "text": ch.to_string() }],
                }),
            );
            let d = c.diagnostics(&uri, Duration::from_secs(60)).expect("diagnostics after change");
            assert_eq!(d["version"], i + 2);
            changes.push(t.elapsed());
        }
        let _ = c.shutdown();
    }
    let abstraction = abstraction_edit(&binary, base, &settings);
    println!("profile: {} ({} bytes)", path.display(), text.len());
    println!("open → first diagnostics: median {:?} over {} runs", median(opens.clone()), opens.len());
    println!("didChange → publishDiagnostics: median {:?} over {} changes", median(changes.clone()), changes.len());
    if let Some((profiles, times, own)) = abstraction {
        println!(
            "didChange in abstractions/base → publishDiagnostics for abstractions/base itself: median {:?} over {} changes",
            median(own.clone()),
            own.len()
        );
        println!(
            "didChange in abstractions/base → publishDiagnostics for all {profiles} open profiles that include it: median {:?} over {} changes",
            median(times.clone()),
            times.len()
        );
    }
}

/// Opens up to 100 installed profiles that include `abstractions/base` (of
/// the base directory and the extra profiles), then
/// types into the abstraction (opened too) and times each change until every
/// one of those profiles has had its diagnostics published again.
fn abstraction_edit(
    binary: &std::path::Path,
    base: &std::path::Path,
    settings: &serde_json::Value,
) -> Option<(usize, Vec<Duration>, Vec<Duration>)> {
    let abstraction = base.join("abstractions/base");
    let abstraction_text = std::fs::read_to_string(&abstraction).ok()?;
    // Debian's profiles: the top level of the base directory and the extra ones.
    let extra = std::path::Path::new("/usr/share/apparmor/extra-profiles");
    let mut profiles: Vec<(String, String)> = [base, extra]
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| Some((e.path(), std::fs::read_to_string(e.path()).ok()?)))
        .filter(|(_, text)| text.contains("abstractions/base>"))
        .map(|(p, text)| (format!("file://{}", p.display()), text))
        .collect();
    profiles.sort();
    profiles.truncate(100);
    let mut c = Client::start(binary, settings.clone());
    c.initialize(base, settings.clone());
    for (uri, text) in &profiles {
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "apparmor", "version": 1, "text": text } }),
        );
        c.diagnostics(uri, Duration::from_secs(60))?;
    }
    let abstraction_uri = format!("file://{}", abstraction.display());
    c.notify("textDocument/didOpen", json!({ "textDocument": { "uri": abstraction_uri, "languageId": "apparmor", "version": 1, "text": abstraction_text } }));
    c.diagnostics(&abstraction_uri, Duration::from_secs(60))?;
    // The profiles were re-checked when the abstraction opened: drain those.
    for (uri, _) in &profiles {
        let _ = c.diagnostics(uri, Duration::from_millis(200));
    }
    let mut times = Vec::new();
    let mut own = Vec::new();
    let mut current = abstraction_text.clone();
    let at = current.find('\n').unwrap_or(current.len());
    for (i, ch) in " # edit".chars().enumerate() {
        let offset = at + i;
        let (line, character) = utf16_position(&current, offset);
        current.insert(offset, ch);
        let t = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": abstraction_uri, "version": i + 2 },
                "contentChanges": [{ "range": { "start": { "line": line, "character": character }, "end": { "line": line, "character": character } }, "text": ch.to_string() }],
            }),
        );
        // The abstraction's own diagnostics come first (older ones may wait in the backlog).
        while c.diagnostics(&abstraction_uri, Duration::from_secs(60))?["version"] != i + 2 {}
        own.push(t.elapsed());
        for (uri, _) in &profiles {
            c.diagnostics(uri, Duration::from_secs(60))?;
        }
        times.push(t.elapsed());
    }
    let _ = c.shutdown();
    Some((profiles.len(), times, own))
}
