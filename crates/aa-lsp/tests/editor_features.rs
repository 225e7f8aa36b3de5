//! The editor features beyond diagnostics, in-process: code lenses (counts,
//! redundant rules and their one-click removal through
//! `workspace/executeCommand` → `workspace/applyEdit`, the kernel's load
//! state, duplicate profile names across the workspace), document links,
//! file-system path completion and snippets, workspace symbols of indexed
//! files.

mod service;

use std::time::Duration;

use expect_test::expect;
use serde_json::{Value, json};
use service::{TestServer, apply_lsp_edits, pos};

const PROFILE: &str = "include <tunables/global>\nabi <abi/3.0>,\n@{CONF} = /etc/foo\nprofile foo /usr/bin/foo {\n  include <abstractions/base>\n  @{CONF}/a r,\n  @{CONF}/a r,\n  capability chown,\n  /etc/foo/** r,\n  /etc/foo/b r,\n  ^hat {\n    /tmp/x w,\n  }\n}\n";

/// `title` of each lens, with its line and command.
fn lenses(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}: {} [{}]",
                l["range"]["start"]["line"],
                l["command"]["title"].as_str().unwrap(),
                l["command"]["command"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_lenses_and_the_remove_command() {
    let mut s = TestServer::start(false).await;
    // A directory in the kernel's securityfs layout (this machine has no
    // securityfs): profile foo loaded in enforce mode.
    let kernel = s.dir.join("securityfs");
    std::fs::create_dir_all(kernel.join("profiles/foo.3")).unwrap();
    std::fs::write(kernel.join("profiles/foo.3/name"), "foo\n").unwrap();
    std::fs::write(kernel.join("profiles/foo.3/mode"), "enforce\n").unwrap();
    s.notify("workspace/didChangeConfiguration", json!({ "settings": { "aa-lint": { "kernelPolicyDir": kernel } } }))
        .await;
    let u = s.open("usr.bin.foo", PROFILE).await;
    let _ = s.diagnostics(&u).await;
    let result = s.request("textDocument/codeLens", json!({ "textDocument": { "uri": u } })).await;
    expect![[r#"
        [
            "3: 5 rules (8 with includes) · 1 hat []",
            "3: 4 redundant rules: remove all [aa-lint.removeRules]",
            "3: file DFA: 104 states []",
            "10: 1 rule []",
            "10: file DFA: 89 states []",
            "2: 2 references []",
            "3: kernel: enforce []",
        ]
    "#]]
    .assert_debug_eq(&lenses(&result));

    // Clicking the removal: the server asks the client to apply the edit.
    let remove = result.as_array().unwrap().iter().find(|l| l["command"]["command"] == "aa-lint.removeRules").unwrap();
    let command = remove["command"].clone();
    let answer = s
        .request(
            "workspace/executeCommand",
            json!({ "command": command["command"], "arguments": command["arguments"] }),
        )
        .await;
    assert_eq!(answer, json!({ "applied": true }));
    let edit = applied_edit(&mut s).await;
    let edits = &edit["edit"]["changes"][&u];
    let fixed = apply_lsp_edits(PROFILE, edits);
    assert_eq!(
        fixed,
        // Both `@{CONF}/a` (= /etc/foo/a) lines and /etc/foo/b are within
        // /etc/foo/**; capability chown comes with abstractions/base.
        PROFILE.replace("  @{CONF}/a r,\n", "").replace("  /etc/foo/b r,\n", "").replace("  capability chown,\n", ""),
        "{edits}"
    );

    // A stale lens (the document changed since) is refused.
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    )
    .await;
    let stale = s
        .request(
            "workspace/executeCommand",
            json!({ "command": command["command"], "arguments": command["arguments"] }),
        )
        .await;
    assert!(stale["error"]["message"].as_str().unwrap().contains("changed since"), "{stale}");
}

async fn applied_edit(s: &mut TestServer) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let req = tokio::time::timeout_at(deadline, s.notifications.recv()).await.expect("an edit").expect("open");
        if req.method() == "workspace/applyEdit" {
            return req.params().cloned().unwrap_or(Value::Null);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_links_of_include_and_abi_lines() {
    let mut s = TestServer::start(false).await;
    std::fs::create_dir_all(s.dir.join("apparmor.d/abi")).unwrap();
    std::fs::write(s.dir.join("apparmor.d/abi/3.0"), "").unwrap();
    let u = s.open("usr.bin.foo", PROFILE).await;
    let links = s.request("textDocument/documentLink", json!({ "textDocument": { "uri": u } })).await;
    s.check(
        &links,
        expect![[r#"
            [
              {
                "range": {
                  "end": {
                    "character": 24,
                    "line": 0
                  },
                  "start": {
                    "character": 9,
                    "line": 0
                  }
                },
                "target": "file://$DIR/apparmor.d/tunables/global",
                "tooltip": "$DIR/apparmor.d/tunables/global"
              },
              {
                "range": {
                  "end": {
                    "character": 12,
                    "line": 1
                  },
                  "start": {
                    "character": 5,
                    "line": 1
                  }
                },
                "target": "file://$DIR/apparmor.d/abi/3.0",
                "tooltip": "$DIR/apparmor.d/abi/3.0"
              },
              {
                "range": {
                  "end": {
                    "character": 28,
                    "line": 4
                  },
                  "start": {
                    "character": 11,
                    "line": 4
                  }
                },
                "target": "file://$DIR/apparmor.d/abstractions/base",
                "tooltip": "$DIR/apparmor.d/abstractions/base"
              }
            ]"#]],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_completion_from_the_file_system_and_snippets() {
    let mut s = TestServer::start(false).await;
    let dir = s.dir.join("apparmor.d").display().to_string();
    let text = format!("profile foo {{\n  {dir}/ab\n  \n}}\n");
    let u = s.open("usr.bin.foo", &text).await;
    let line = 1;
    let character = 2 + dir.len() as u32 + 3;
    let completion = s.request("textDocument/completion", pos(&u, line, character)).await;
    let folders: Vec<&Value> = completion["items"].as_array().unwrap().iter().filter(|i| i["kind"] == 19).collect();
    let labels: Vec<&str> = folders.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["abstractions", "tunables"], "{completion}");
    assert_eq!(folders[0]["textEdit"]["newText"], "abstractions/");
    assert_eq!(folders[0]["textEdit"]["range"]["start"]["character"], character - 2);

    // At the start of a statement inside a profile: templates.
    let completion = s.request("textDocument/completion", pos(&u, 2, 2)).await;
    let hat = completion["items"].as_array().unwrap().iter().find(|i| i["label"] == "^hat").expect("a hat snippet");
    assert_eq!(hat["insertTextFormat"], 2, "{hat}");
    assert_eq!(hat["textEdit"]["newText"], "^${1:name} {\n  $0\n}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_index_symbols_and_duplicate_names() {
    let mut s = TestServer::start(false).await;
    let u = s.open("usr.bin.foo", PROFILE).await;
    // A file of the workspace that is not open defines foo too.
    let other = s.dir.join("apparmor.d/usr.bin.foo-copy");
    std::fs::write(&other, "profile foo {\n}\nprofile only-in-copy {\n}\n").unwrap();
    s.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": service::uri(&other), "type": 1 }] }))
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let titles = loop {
        let result = s.request("textDocument/codeLens", json!({ "textDocument": { "uri": u } })).await;
        let titles = lenses(&result);
        if titles.iter().any(|t| t.contains("also defined")) || tokio::time::Instant::now() > deadline {
            break titles;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(titles.contains(&"3: also defined in usr.bin.foo-copy []".to_string()), "{titles:?}");
    let symbols = s.request("workspace/symbol", json!({ "query": "only-in" })).await;
    assert_eq!(symbols[0]["name"], "only-in-copy", "{symbols}");
}

/// Two equal rules: only one of them may go (removing every finding would
/// drop the permission).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_redundant_rules_keeps_one_of_equal_rules() {
    let mut s = TestServer::start(false).await;
    let text = "profile foo {\n  /a r,\n  /a r,\n  capability kill,\n  capability kill,\n  signal send set=(term) peer=foo,\n  signal send set=(term) peer=foo,\n}\n";
    let u = s.open("usr.bin.foo", text).await;
    let _ = s.diagnostics(&u).await;
    let result = s.request("textDocument/codeLens", json!({ "textDocument": { "uri": u } })).await;
    let remove = result.as_array().unwrap().iter().find(|l| l["command"]["command"] == "aa-lint.removeRules");
    let remove = remove.unwrap_or_else(|| panic!("{result}"));
    let edits = &remove["command"]["arguments"][2];
    assert_eq!(
        apply_lsp_edits(text, edits),
        "profile foo {\n  /a r,\n  capability kill,\n  signal send set=(term) peer=foo,\n}\n",
        "{edits}"
    );
}
