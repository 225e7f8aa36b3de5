//! One configuration: on a project with an `aa-lint.toml` (its own include
//! directory, extra lint groups, a level, an override by path), the real
//! `aa-lint lsp` process and `aa-lint check` report the same findings, and
//! the client's settings then act as the command line's flags do.

mod support;

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use serde_json::{Value, json};
use support::{Client, aa_lint_binary};

const TOML: &str = r#"include = ["inc"]
extend-select = ["style"]
ignore = ["missing-header-comment", "missing-vim-modeline"]

[lints]
overbroad-glob = "error"

[[overrides]]
paths = ["profiles/usr.bin.quiet"]
ignore = ["security"]
"#;

const LOUD: &str = "abi <abi/3.0>,\nprofile loud /usr/bin/loud {\n  include <abstractions/project>\n  /** r,\n   /etc/loud.conf   r,\n  capability sys_admin,\n}\n";
const QUIET: &str =
    "abi <abi/3.0>,\nprofile quiet /usr/bin/quiet {\n  include <abstractions/project>\n  /** r,\n\t/etc/quiet rw,\n}\n";

fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aa-lsp-config-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("inc/abstractions")).unwrap();
    std::fs::create_dir_all(dir.join("profiles")).unwrap();
    std::fs::write(dir.join("aa-lint.toml"), TOML).unwrap();
    std::fs::write(dir.join("inc/abstractions/project"), "/usr/share/project/** r,\n").unwrap();
    std::fs::write(dir.join("profiles/usr.bin.loud"), LOUD).unwrap();
    std::fs::write(dir.join("profiles/usr.bin.quiet"), QUIET).unwrap();
    dir
}

/// `(code, line, column, severity)` of each finding, 1-based, sorted.
type Found = Vec<(String, u64, u64, String)>;

fn cli_findings(dir: &Path, file: &str, flags: &[&str]) -> Found {
    let output = Command::new(aa_lint_binary())
        .current_dir(dir)
        .args(["check", "--config-file", "/dev/null", "--output-format", "json"])
        .args(flags)
        .arg(format!("profiles/{file}"))
        .output()
        .expect("run aa-lint check");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let mut found: Found = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let start = &d["range"]["start"];
            (
                d["code"].as_str().unwrap().to_string(),
                start["line"].as_u64().unwrap(),
                start["column"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn server_findings(published: &Value) -> Found {
    let mut found: Found = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let start = &d["range"]["start"];
            let severity = match d["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                _ => "info",
            };
            (
                d["code"].as_str().unwrap().to_string(),
                start["line"].as_u64().unwrap() + 1,
                start["character"].as_u64().unwrap() + 1,
                severity.to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

/// The last diagnostics of `uri` once the server has gone quiet.
fn settled(c: &mut Client, uri: &str) -> Value {
    let mut last = c.diagnostics(uri, Duration::from_secs(20)).expect("diagnostics");
    while let Some(next) = c.diagnostics(uri, Duration::from_millis(700)) {
        last = next;
    }
    last
}

#[test]
fn server_and_cli_agree_on_a_configured_project() {
    let dir = project("agree");
    let settings = json!({ "parserConfigFile": "/dev/null", "lint": { "select": [], "ignore": [] } });
    let mut c = Client::start(&aa_lint_binary(), settings.clone());
    c.initialize(&dir, settings);
    let mut uris = Vec::new();
    for (file, text) in [("usr.bin.loud", LOUD), ("usr.bin.quiet", QUIET)] {
        let uri = format!("file://{}", dir.join("profiles").join(file).display());
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "apparmor", "version": 1, "text": text } }),
        );
        uris.push((file, uri));
    }
    for (file, uri) in &uris {
        let server = server_findings(&settled(&mut c, uri));
        let cli = cli_findings(&dir, file, &[]);
        assert_eq!(server, cli, "{file}: server (left) and CLI (right) differ");
        // The configuration is really in force: its include directory, its
        // style lints, its level and (for quiet) its override.
        assert!(!cli.iter().any(|f| f.0 == "AA003"), "{file}: the include was not found: {cli:?}");
        assert!(cli.iter().any(|f| f.0.starts_with("AA3")), "{file}: no style finding: {cli:?}");
        let overbroad = cli.iter().any(|f| f.0 == "AA101" && f.3 == "error");
        assert_eq!(overbroad, *file == "usr.bin.loud", "{file}: {cli:?}");
    }

    // Client settings are the command-line flags.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "aa-lint": { "lint": { "select": [], "ignore": ["style"] } } } }),
    );
    let (file, uri) = &uris[0];
    let server = server_findings(&settled(&mut c, uri));
    assert_eq!(server, cli_findings(&dir, file, &["--ignore", "style"]));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "aa-lint": { "lint": { "select": ["parser", "security"], "ignore": [] } } } }),
    );
    let server = server_findings(&settled(&mut c, uri));
    assert_eq!(server, cli_findings(&dir, file, &["--select", "parser,security"]));

    // Editing aa-lint.toml on disk is seen through file watching.
    std::fs::write(dir.join("aa-lint.toml"), TOML.replace("overbroad-glob = \"error\"", "overbroad-glob = \"info\""))
        .unwrap();
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "aa-lint": { "lint": { "select": [], "ignore": [] } } } }),
    );
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", dir.join("aa-lint.toml").display()), "type": 2 }] }),
    );
    let server = server_findings(&settled(&mut c, uri));
    assert_eq!(server, cli_findings(&dir, file, &[]));
    assert!(server.iter().any(|f| f.0 == "AA101" && f.3 == "info"), "{server:?}");

    let status = c.shutdown();
    assert!(status.is_some_and(|s| s.success()), "exit status {status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_aa_lint_toml_is_reported_not_fatal() {
    let dir = project("broken");
    std::fs::write(dir.join("aa-lint.toml"), "select = [\"no-such-lint\"]\n").unwrap();
    let settings = json!({ "parserConfigFile": "/dev/null" });
    let mut c = Client::start(&aa_lint_binary(), settings.clone());
    c.initialize(&dir, settings);
    let uri = format!("file://{}", dir.join("profiles/usr.bin.loud").display());
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "apparmor", "version": 1, "text": LOUD } }),
    );
    let published = settled(&mut c, &uri);
    assert!(!published["diagnostics"].as_array().unwrap().is_empty(), "{published}");
    let message = c
        .backlog
        .iter()
        .find(|m| m["method"] == "window/showMessage")
        .unwrap_or_else(|| panic!("no message about the file: {:?}", c.backlog));
    let text = message["params"]["message"].as_str().unwrap();
    assert!(text.contains("aa-lint.toml:1:11") && text.contains("no-such-lint"), "{text}");
    let _ = c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
