//! The log hints over stdio with the real server: the log file named by a
//! settings change, re-read when it grows, and taken away with the
//! setting. The policy and records are the CLI's suggest fixture.

mod support;

use std::{
    path::Path,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use support::{Client, aa_lint_binary};

const POLICY: &str = include_str!("../../../fixtures/cli/suggest/policy/pinger");
const LOG: &str = include_str!("../../../fixtures/cli/suggest/audit.log");

/// The fixture's records whose line contains `needle`.
fn records(needle: &str) -> String {
    LOG.lines().filter(|l| l.contains(needle)).map(|l| format!("{l}\n")).collect()
}

/// The first line of the hint at pinger's header (line 3), if any.
fn pinger_hint(published: &Value) -> Option<String> {
    published["diagnostics"]
        .as_array()?
        .iter()
        .find(|d| d["code"] == "logged-events" && d["range"]["start"]["line"] == 3)
        .map(|d| d["message"].as_str().unwrap_or_default().lines().next().unwrap_or_default().to_owned())
}

/// Waits for diagnostics of `uri` whose pinger hint is `want`; panics
/// with the last one seen when none comes.
fn wait_for(c: &mut Client, uri: &str, want: Option<&str>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = None;
    while Instant::now() < deadline {
        let Some(d) = c.diagnostics(uri, deadline.saturating_duration_since(Instant::now())) else { break };
        let hint = pinger_hint(&d);
        if hint.as_deref() == want {
            return;
        }
        last = Some(d);
    }
    panic!("no diagnostics with the hint {want:?}; the last: {last:?}");
}

/// How often the server looks at the log file (`logs.rs`'s `POLL`).
fn logs_poll() -> Duration {
    Duration::from_secs(1)
}

fn settings(base: &Path) -> Value {
    json!({ "includePaths": [], "baseDir": base, "lint": { "select": [], "ignore": [] } })
}

#[test]
fn the_log_is_read_when_named_re_read_when_it_grows_and_dropped_with_the_setting() {
    let dir = std::env::temp_dir().join(format!("aa-lsp-log-hints-{}", std::process::id()));
    let base = dir.join("apparmor.d");
    std::fs::create_dir_all(&base).unwrap();
    let path = base.join("pinger");
    std::fs::write(&path, POLICY).unwrap();
    let log = dir.join("audit.log");
    std::fs::write(&log, records("capname=\"net_admin\"")).unwrap();
    let features = Path::new(env!("CARGO_MANIFEST_DIR")).join("../aa-dfa/tests/features/default");
    let uri = format!("file://{}", path.display());

    let mut c = Client::start(&aa_lint_binary(), settings(&base));
    c.initialize(&base, settings(&base));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "apparmor", "version": 1, "text": POLICY } }),
    );
    let first = c.diagnostics(&uri, Duration::from_secs(30)).expect("diagnostics");
    assert_eq!(pinger_hint(&first), None, "no log, no hint: {first}");

    // A log named: its one record is a rule to add.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "aa-lint": { "suggest": { "logFile": log, "featuresFile": features } } } }),
    );
    let one = "1 logged event not allowed: 1 rule to add";
    wait_for(&mut c, &uri, Some(one));

    // Other programs' lines appended: read, but nothing to publish again.
    let mut grown = records("capname=\"net_admin\"");
    grown.push_str(&records("type=SYSCALL"));
    std::fs::write(&log, &grown).unwrap();
    let again = c.diagnostics(&uri, logs_poll() * 3);
    assert!(again.is_none(), "published again for lines that are not AppArmor's: {again:?}");

    // The log grows (as a log does): read again without being told.
    grown.push_str(&records("/home/alice/.cache/pinger/state"));
    std::fs::write(&log, grown).unwrap();
    let three = "3 logged events not allowed: 2 rules to add";
    wait_for(&mut c, &uri, Some(three));

    // The code actions follow the new reading.
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 3, "character": 0 }, "end": { "line": 3, "character": 0 } },
            "context": { "diagnostics": [] },
        }),
    );
    let titles: Vec<&str> = actions.as_array().unwrap().iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(
        titles,
        [
            "Add `owner @{HOME}/.cache/pinger/state rw,` (log lines 3, 4)",
            "Add `capability net_admin,` (log line 1)",
            "Add the 2 logged rules to `pinger`",
        ],
        "{actions}"
    );

    // The setting cleared: the hint goes.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "aa-lint": { "suggest": { "logFile": null } } } }),
    );
    wait_for(&mut c, &uri, None);

    let status = c.shutdown();
    assert!(status.is_some_and(|s| s.success()), "exit status {status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
