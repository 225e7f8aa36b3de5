//! A document past the size limit, opened in the real `aa-lint lsp` over
//! stdio next to a small profile: the large one gets one `file-too-large`
//! diagnostic at its start, and the small one its own diagnostics, without
//! waiting on the large one. The large text is Debian's installed policy
//! (the profiles at the top of `/etc/apparmor.d`) repeated past the limit;
//! the test is skipped where that policy is missing.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Client, aa_lint_binary};

/// Past `aa_hir::includes::MAX_FILE_BYTES` (10 MiB).
const PAST_THE_LIMIT: usize = 11 << 20;

fn debian_profiles() -> String {
    let Ok(entries) = std::fs::read_dir("/etc/apparmor.d") else { return String::new() };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

fn codes(diagnostics: &Value) -> Vec<String> {
    let list = diagnostics["diagnostics"].as_array().cloned().unwrap_or_default();
    list.iter().map(|d| d["code"].as_str().unwrap_or("").to_owned()).collect()
}

#[test]
fn a_document_past_the_limit_gets_one_diagnostic_and_blocks_no_other() {
    let one_copy = debian_profiles();
    if one_copy.is_empty() {
        eprintln!("skipped: no policy in /etc/apparmor.d");
        return;
    }
    let large = one_copy.repeat(PAST_THE_LIMIT / one_copy.len() + 1);
    let dir = std::env::temp_dir().join(format!("aa-lsp-too-large-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("apparmor.d")).unwrap();
    let settings =
        json!({ "includePaths": [], "baseDir": dir.join("apparmor.d"), "lint": { "select": [], "ignore": [] } });
    let mut c = Client::start(&aa_lint_binary(), settings.clone());
    c.initialize(&dir.join("apparmor.d"), settings);
    let open = |c: &mut Client, name: &str, text: &str| {
        let uri = format!("file://{}", dir.join("apparmor.d").join(name).display());
        let document = json!({ "uri": uri, "languageId": "apparmor", "version": 1, "text": text });
        c.notify("textDocument/didOpen", json!({ "textDocument": document }));
        uri
    };
    let start = Instant::now();
    let large_uri = open(&mut c, "concatenated", &large);
    let small_uri = open(&mut c, "usr.bin.foo", "profile foo {\n  capability net_admn,\n}\n");

    let small = c.diagnostics(&small_uri, Duration::from_secs(30)).expect("the small file's diagnostics");
    assert_eq!(codes(&small), ["AA058"], "{small}");
    let large = c.diagnostics(&large_uri, Duration::from_secs(30)).expect("the large file's diagnostics");
    assert_eq!(codes(&large), ["AA077"], "one diagnostic, not an analysis");
    let first = &large["diagnostics"][0];
    assert_eq!(first["range"]["start"], json!({ "line": 0, "character": 0 }), "{first}");
    assert!(first["message"].as_str().unwrap_or("").contains("past the 10 MiB limit"), "{first}");
    eprintln!("both published {:?} after the opens", start.elapsed());
    let status = c.shutdown();
    assert!(status.is_some_and(|s| s.success()), "exit status {status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
