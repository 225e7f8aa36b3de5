//! Drives the `LspService` in-process: initialize, open, change, request,
//! and snapshot the JSON answers. Paths under the per-test directory are
//! shown as `$DIR`.

mod service;

use serde_json::{Value, json};
use service::{TestServer, apply_lsp_edits, pos};
use std::time::Duration;

use expect_test::expect;

const PROFILE: &str = "include <tunables/global>\nprofile foo /usr/bin/foo flags=(complain) {\n  include <abstractions/base>\n  capability net_admin,\n  @{HOME}/x rw,\n  /bin/bar Px -> bar,\n  ^hat {\n  }\n}\nprofile bar {\n}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_after_open_and_change() {
    let mut s = TestServer::start(false).await;
    let u = s.open("usr.bin.foo", "include <abstractions/broken>\nprofile foo {\n  capability net_admn,\n}\n").await;
    let d = s.diagnostics(&u).await;
    s.check(&d, expect![[r#"
        {
          "diagnostics": [
            {
              "code": "AA001",
              "codeDescription": {
                "href": "https://aa-lint.example/docs/lints/parser.md"
              },
              "message": "in included file $DIR/apparmor.d/abstractions/broken: `rwz` is not a file permission: expected letters from `rwalkmx` and exec modes such as `ix`, `px`, `Px`, `cx`, `ux` [syntax-error]",
              "range": {
                "end": {
                  "character": 29,
                  "line": 0
                },
                "start": {
                  "character": 0,
                  "line": 0
                }
              },
              "relatedInformation": [
                {
                  "location": {
                    "range": {
                      "end": {
                        "character": 6,
                        "line": 0
                      },
                      "start": {
                        "character": 3,
                        "line": 0
                      }
                    },
                    "uri": "file://$DIR/apparmor.d/abstractions/broken"
                  },
                  "message": "`rwz` is not a file permission: expected letters from `rwalkmx` and exec modes such as `ix`, `px`, `Px`, `cx`, `ux`"
                }
              ],
              "severity": 1,
              "source": "aa-lint"
            },
            {
              "code": "AA058",
              "codeDescription": {
                "href": "https://aa-lint.example/docs/lints/parser.md"
              },
              "message": "`net_admn` is not a capability: names are lower case without `CAP_`, e.g. `sys_admin` [unknown-capability]",
              "range": {
                "end": {
                  "character": 21,
                  "line": 2
                },
                "start": {
                  "character": 13,
                  "line": 2
                }
              },
              "severity": 1,
              "source": "aa-lint"
            }
          ],
          "uri": "file://$DIR/apparmor.d/usr.bin.foo",
          "version": 1
        }"#]],
    );
    // Fix the capability with an incremental edit: `admn` → `admin`.
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": u, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 2, "character": 17 }, "end": { "line": 2, "character": 21 } }, "text": "admin" }],
        }),
    )
    .await;
    let d = s.diagnostics(&u).await;
    assert_eq!(d["version"], 2);
    let codes: Vec<&Value> = d["diagnostics"].as_array().unwrap().iter().map(|d| &d["code"]).collect();
    assert_eq!(codes, vec![&json!("AA001")]);
    // lint.ignore through didChangeConfiguration (VS Code shape), by lint name.
    let base = s.dir.join("apparmor.d");
    s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "aa-lint": { "includePaths": [], "baseDir": base, "lint": { "select": [], "ignore": ["syntax-error"] } } } }),
    )
    .await;
    let d = s.diagnostics(&u).await;
    assert_eq!(d["diagnostics"], json!([]));
    // Bare settings (Helix shape) turn it back on.
    s.notify("workspace/didChangeConfiguration", json!({ "settings": { "baseDir": base, "lint": { "ignore": [] } } }))
        .await;
    let d = s.diagnostics(&u).await;
    assert_eq!(d["diagnostics"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_follow_a_changed_include() {
    let mut s = TestServer::start(false).await;
    let main = s.open("usr.bin.foo", "profile foo {\n  include <abstractions/mine>\n}\n").await;
    let codes = |d: &Value| -> Vec<String> {
        d["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
    };
    let d = s.diagnostics(&main).await;
    assert_eq!(codes(&d), ["AA204", "AA003"], "{d}");
    let inc = s.open("abstractions/mine", "capability chown,\n").await;
    // Opening the abstraction resolves the include of the other open file.
    loop {
        let d = s.diagnostics(&main).await;
        if d["diagnostics"] == json!([]) {
            break;
        }
    }
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": inc, "version": 2 }, "contentChanges": [{ "text": "capability bogus,\n" }] }),
    )
    .await;
    let d = s.diagnostics(&main).await;
    assert_eq!(codes(&d), ["AA058"], "{d}");
    assert_eq!(d["diagnostics"][0]["range"]["start"]["line"], 1, "{d}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_texts() {
    let mut s = TestServer::start(false).await;
    let u = s.open("usr.bin.foo", PROFILE).await;
    let mut out = Vec::new();
    for (line, ch) in [(0, 3), (1, 9), (1, 34), (3, 15), (4, 4), (4, 10), (4, 13), (5, 4), (5, 12), (5, 17), (6, 3)] {
        let h = s.request("textDocument/hover", pos(&u, line, ch)).await;
        out.push(format!("{line}:{ch} {}", h["contents"]["value"].as_str().unwrap_or("null")));
    }
    let text = out.join("\n---\n").replace(&s.dir.display().to_string(), "$DIR");
    expect![[r#"
        0:3 **include `tunables/global`**

        Resolves to:
        - `$DIR/apparmor.d/tunables/global`

        Reads 1 file(s) granting no rules.

        Defines @{HOME}, @{PROC}.
        ---
        1:9 **profile `foo`**

        Attaches to `/usr/bin/foo`.

        Flags: `complain`.

        Contains 1 capability, 2 file, 1 include, children: hat.

        As loaded: `foo` attached to `/usr/bin/foo`, 6 rule(s) after includes, variables and conditionals.
        ---
        1:34 **flag `complain`**

        Mode: allow everything, but log what the profile would deny; for developing profiles.
        ---
        3:15 **capability `net_admin`** (`CAP_NET_ADMIN`)

        Configure interfaces, routing, firewalls and other network settings.
        ---
        4:4 **variable `@{HOME}`**

        ```apparmor
        @{HOME} = /home/*/ /root/
        ```

        Expands to `{/home/*/,/root/}`.

        Defined in:
        - `$DIR/apparmor.d/tunables/global` (=)
        ---
        4:10 **Effective permissions** at `/root/x` (a path this glob matches) in `foo`: `rw`

        From:
        - `rw`: `@{HOME}/x rw,` (usr.bin.foo:5)
        ---
        4:13 **permissions `rw`**

        - `r`: read
        - `w`: write (implies append; cannot be combined with `a`)
        ---
        5:4 **Effective permissions** at `/bin/bar` in `foo`: `P[->0]x`

        From:
        - `P[->0]x`: `/bin/bar Px -> bar,` (usr.bin.foo:6)
        ---
        5:12 **permissions `Px`**

        - `Px`: discrete profile, environment kept
        ---
        5:17 **profile `bar`**

        Defined in `$DIR/apparmor.d/usr.bin.foo`.
        ---
        6:3 **hat `hat`**

        As loaded: `foo//hat`, 0 rule(s) after includes, variables and conditionals.

        ---

        **lint `empty-profile`** (AA204, correctness)

        A profile, child profile or hat of the file being linted with no rules at all (after includes and conditionals) and no child profile or hat of its own.
        Profiles in `unconfined` mode are left alone."#]]
    .assert_eq(&text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_by_context() {
    let mut s = TestServer::start(false).await;
    let text = "include <abstractions/>\nprofile foo {\n  capability \n  network \n  signal send set=(\n  /x \n  @{\n  /y Px -> \n  \n}\nprofile bar {\n}\n";
    let u = s.open("usr.bin.foo", text).await;
    let mut out = Vec::new();
    for (line, ch) in [(0, 22), (2, 13), (3, 10), (4, 19), (5, 5), (6, 4), (7, 11), (8, 2)] {
        let c = s.request("textDocument/completion", pos(&u, line, ch)).await;
        let items = c["items"].as_array().cloned().unwrap_or_default();
        let labels: Vec<&str> = items.iter().take(6).filter_map(|i| i["label"].as_str()).collect();
        out.push(format!("{line}:{ch} ({}) {}", items.len(), labels.join(" ")));
    }
    expect![[r#"
        0:22 (2) base broken
        2:13 (41) chown dac_override dac_read_search fowner fsetid kill
        3:10 (51) unspec unix inet inet6 ax25 ipx
        4:19 (35) hup int quit ill trap abrt
        5:5 (27) ix ux Ux px Px cx
        6:4 (4) @{profile_name} @{exec_path} @{attach_path} @{os_release}
        7:11 (2) foo bar
        8:2 (39) capability network unix dbus signal ptrace"#]]
    .assert_eq(&out.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_references_highlight_rename() {
    let mut s = TestServer::start(true).await;
    let u = s.open("usr.bin.foo", PROFILE).await;
    let def = s.request("textDocument/definition", pos(&u, 0, 12)).await;
    let var = s.request("textDocument/definition", pos(&u, 4, 4)).await;
    let prof = s.request("textDocument/definition", pos(&u, 5, 17)).await;
    s.check(
        &json!({ "include": def, "variable": var, "profile": prof }),
        expect![[r#"
            {
              "include": [
                {
                  "range": {
                    "end": {
                      "character": 0,
                      "line": 0
                    },
                    "start": {
                      "character": 0,
                      "line": 0
                    }
                  },
                  "uri": "file://$DIR/apparmor.d/tunables/global"
                }
              ],
              "profile": [
                {
                  "range": {
                    "end": {
                      "character": 11,
                      "line": 9
                    },
                    "start": {
                      "character": 8,
                      "line": 9
                    }
                  },
                  "uri": "file://$DIR/apparmor.d/usr.bin.foo"
                }
              ],
              "variable": [
                {
                  "range": {
                    "end": {
                      "character": 7,
                      "line": 0
                    },
                    "start": {
                      "character": 0,
                      "line": 0
                    }
                  },
                  "uri": "file://$DIR/apparmor.d/tunables/global"
                }
              ]
            }"#]],
    );
    let refs = s
        .request("textDocument/references", json!({ "textDocument": { "uri": u }, "position": { "line": 9, "character": 9 }, "context": { "includeDeclaration": true } }))
        .await;
    assert_eq!(refs.as_array().map(Vec::len), Some(2), "{refs}");
    let hl = s.request("textDocument/documentHighlight", pos(&u, 5, 17)).await;
    assert_eq!(hl.as_array().map(Vec::len), Some(2), "{hl}");
    let prep = s.request("textDocument/prepareRename", pos(&u, 9, 9)).await;
    assert_eq!(prep["start"], json!({ "line": 9, "character": 8 }), "{prep}");
    let edit = s
        .request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": u }, "position": { "line": 9, "character": 9 }, "newName": "baz" }),
        )
        .await;
    let edits = &edit["changes"][&u];
    assert_eq!(edits.as_array().map(Vec::len), Some(2), "{edit}");
    let bad = s
        .request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": u }, "position": { "line": 4, "character": 4 }, "newName": "no good" }),
        )
        .await;
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symbols_folding_selection_tokens_hints() {
    let mut s = TestServer::start(false).await;
    let u = s.open("usr.bin.foo", PROFILE).await;
    let syms = s.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } })).await;
    let names: Vec<String> = syms
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let children: Vec<&str> =
                s["children"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str()).collect();
            format!("{}[{}]", s["name"].as_str().unwrap_or(""), children.join(","))
        })
        .collect();
    assert_eq!(names.join(" "), "include tunables/global[] foo[include abstractions/base,hat] bar[]");
    let ws = s.request("workspace/symbol", json!({ "query": "HO" })).await;
    let ws_names: Vec<&str> = ws.as_array().unwrap().iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(ws_names, vec!["@{HOME}"]);
    let folds = s.request("textDocument/foldingRange", json!({ "textDocument": { "uri": u } })).await;
    let folds: Vec<String> =
        folds.as_array().unwrap().iter().map(|f| format!("{}-{}", f["startLine"], f["endLine"])).collect();
    assert_eq!(folds, vec!["1-8", "6-7", "9-10"]);
    let sel = s
        .request(
            "textDocument/selectionRange",
            json!({ "textDocument": { "uri": u }, "positions": [{ "line": 3, "character": 15 }] }),
        )
        .await;
    assert_eq!(sel[0]["range"]["start"], json!({ "line": 3, "character": 13 }), "{sel}");
    assert_eq!(sel[0]["parent"]["range"]["start"], json!({ "line": 3, "character": 2 }), "{sel}");
    let tokens = s.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": u } })).await;
    let data = tokens["data"].as_array().unwrap();
    // First token: `include` keyword at 0:0, 7 long, type 0.
    assert_eq!(&data[..5], &[json!(0), json!(0), json!(7), json!(0), json!(0)]);
    assert_eq!(data.len() % 5, 0);
    let hints = s
        .request(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": u }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 11, "character": 0 } } }),
        )
        .await;
    let labels: Vec<&str> = hints.as_array().unwrap().iter().filter_map(|h| h["label"].as_str()).collect();
    assert_eq!(labels, vec!["= {/home/*/,/root/}", "discrete profile"]);
    let tree = s.request("aa/syntaxTree", json!({ "textDocument": { "uri": u } })).await;
    assert!(tree["tree"].as_str().unwrap().starts_with("SOURCE_FILE@0..193\n"), "{tree}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf16_and_utf8_positions() {
    for utf8 in [false, true] {
        let mut s = TestServer::start(utf8).await;
        // `é` is 2 bytes and 1 UTF-16 unit; `😀` is 4 bytes and 2 units.
        let u = s.open("usr.bin.foo", "# é😀\nprofile foo {\n}\n").await;
        let first = if utf8 { 8 } else { 5 };
        s.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": u, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": first }, "end": { "line": 0, "character": first } }, "text": "!" }],
            }),
        )
        .await;
        let text = s.request("aa/documentText", json!({ "textDocument": { "uri": u } })).await;
        assert_eq!(text["text"], "# é😀!\nprofile foo {\n}\n", "utf8={utf8}");
        assert_eq!(text["analysisInSync"], Value::Null);
        assert_eq!(text["analysis_in_sync"], true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_responses_never_crashes() {
    let mut s = TestServer::start(false).await;
    // A request for a document that is not open is an error, not a panic.
    let h = s.request("textDocument/hover", pos("file:///nowhere", 0, 0)).await;
    assert_eq!(h["error"]["code"], -32602, "{h}");
    let u = s.open("usr.bin.foo", "profile foo {\n").await;
    // Positions past the end are clamped.
    let h = s.request("textDocument/hover", pos(&u, 999, 999)).await;
    assert!(h.is_null() || h.get("contents").is_some(), "{h}");
    let c = s.request("textDocument/completion", pos(&u, 0, 999)).await;
    assert!(c.get("items").is_some(), "{c}");
    // A range edit past the end appends.
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "range": { "start": { "line": 50, "character": 0 }, "end": { "line": 60, "character": 3 } }, "text": "}\n" }] }),
    )
    .await;
    let text = s.request("aa/documentText", json!({ "textDocument": { "uri": u } })).await;
    assert_eq!(text["text"], "profile foo {\n}\n");
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({ "start": { "line": l1, "character": c1 }, "end": { "line": l2, "character": c2 } })
}

const LINTED: &str = "profile foo {\n  include <abstractions/wide>\n  /etc/foo r,\n  /etc/foo r,\n  /etc/bar wr,\n}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lint_diagnostics_with_related_information() {
    let mut s = TestServer::start(false).await;
    std::fs::write(s.dir.join("apparmor.d/abstractions/wide"), "/** w,\n").unwrap();
    let u = s.open("usr.bin.foo", LINTED).await;
    let d = s.diagnostics(&u).await;
    s.check(&d, expect![[r#"
        {
          "diagnostics": [
            {
              "code": "AA101",
              "codeDescription": {
                "href": "https://aa-lint.example/docs/lints/overbroad-glob.md"
              },
              "message": "in included file $DIR/apparmor.d/abstractions/wide: `/** w,` grants write over every file [overbroad-glob]",
              "range": {
                "end": {
                  "character": 29,
                  "line": 1
                },
                "start": {
                  "character": 2,
                  "line": 1
                }
              },
              "relatedInformation": [
                {
                  "location": {
                    "range": {
                      "end": {
                        "character": 6,
                        "line": 0
                      },
                      "start": {
                        "character": 0,
                        "line": 0
                      }
                    },
                    "uri": "file://$DIR/apparmor.d/abstractions/wide"
                  },
                  "message": "`/** w,` grants write over every file"
                }
              ],
              "severity": 1,
              "source": "aa-lint"
            },
            {
              "code": "AA201",
              "codeDescription": {
                "href": "https://aa-lint.example/docs/lints/duplicate-rule.md"
              },
              "message": "`/etc/foo r,` repeats a rule of profile `foo` (earlier in this file) [duplicate-rule]",
              "range": {
                "end": {
                  "character": 13,
                  "line": 3
                },
                "start": {
                  "character": 2,
                  "line": 3
                }
              },
              "relatedInformation": [
                {
                  "location": {
                    "range": {
                      "end": {
                        "character": 13,
                        "line": 2
                      },
                      "start": {
                        "character": 2,
                        "line": 2
                      }
                    },
                    "uri": "file://$DIR/apparmor.d/usr.bin.foo"
                  },
                  "message": "the same rule"
                }
              ],
              "severity": 2,
              "source": "aa-lint"
            }
          ],
          "uri": "file://$DIR/apparmor.d/usr.bin.foo",
          "version": 1
        }"#]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_actions_fix_and_suppress() {
    let mut s = TestServer::start(false).await;
    let u = s.open("usr.bin.foo", LINTED).await;
    s.diagnostics(&u).await;
    let actions = s
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": u }, "range": range(3, 4, 3, 4), "context": { "diagnostics": [] } }),
        )
        .await;
    let mut out = String::new();
    for a in actions.as_array().unwrap() {
        let edits = &a["edit"]["changes"][&u];
        out.push_str(&format!(
            "{} | {} | preferred={} | diagnostic {}\n{}--\n",
            a["kind"].as_str().unwrap(),
            a["title"].as_str().unwrap(),
            a["isPreferred"],
            a["diagnostics"][0]["code"],
            apply_lsp_edits(LINTED, edits)
        ));
    }
    expect![[r#"
        quickfix | delete the repeated rule | preferred=true | diagnostic "AA201"
        profile foo {
          include <abstractions/wide>
          /etc/foo r,
          /etc/bar wr,
        }
        --
        quickfix | Suppress duplicate-rule (AA201) here | preferred=null | diagnostic "AA201"
        profile foo {
          include <abstractions/wide>
          /etc/foo r,
          # aa-lint: allow(duplicate-rule) TODO: say why this is fine
          /etc/foo r,
          /etc/bar wr,
        }
        --
    "#]]
    .assert_eq(&out);
    // Nothing to fix on a line without findings.
    let actions = s
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": u }, "range": range(0, 0, 0, 0), "context": { "diagnostics": [] } }),
        )
        .await;
    assert_eq!(actions, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_source_action() {
    let mut s = TestServer::start(false).await;
    let base = s.dir.join("apparmor.d");
    let text = "profile foo {\n  /etc/foo r,\n  /etc/foo r,\n    /etc/bar wr,  \n}\n";
    let u = s.open("usr.bin.foo", text).await;
    s.diagnostics(&u).await;
    // After the answer to `workspace/configuration`, which would undo it.
    s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "baseDir": base, "lint": { "select": ["all"], "ignore": ["missing-header-comment", "missing-vim-modeline"] } } }),
    )
    .await;
    loop {
        let d = s.diagnostics(&u).await;
        if d["diagnostics"].as_array().unwrap().iter().any(|d| d["code"].as_str().unwrap_or("").starts_with("AA3")) {
            break;
        }
    }
    let actions = s
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": u }, "range": range(0, 0, 0, 0), "context": { "diagnostics": [], "only": ["source.fixAll"] } }),
        )
        .await;
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.aa-lint");
    expect![[r#"
        profile foo {
          /etc/foo r,
          /etc/bar rw,
        }
    "#]]
    .assert_eq(&apply_lsp_edits(text, &actions[0]["edit"]["changes"][&u]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_and_range_formatting() {
    let mut s = TestServer::start(false).await;
    let text = "profile foo {\ncapability chown,\n      /etc/x r,\n  ^hat {\n/y w,\n  }\n}\n";
    let u = s.open("usr.bin.foo", text).await;
    let options = json!({ "tabSize": 4, "insertSpaces": true });
    let edits = s.request("textDocument/formatting", json!({ "textDocument": { "uri": u }, "options": options })).await;
    expect![[r#"
        profile foo {
          capability chown,
          /etc/x r,
          ^hat {
            /y w,
          }
        }
    "#]]
    .assert_eq(&apply_lsp_edits(text, &edits));
    let edits = s
        .request(
            "textDocument/rangeFormatting",
            json!({ "textDocument": { "uri": u }, "range": range(2, 8, 2, 8), "options": options }),
        )
        .await;
    expect![[r#"
        profile foo {
        capability chown,
          /etc/x r,
          ^hat {
        /y w,
          }
        }
    "#]]
    .assert_eq(&apply_lsp_edits(text, &edits));
    // Syntax errors: no edits and no error.
    let bad = s.open("usr.bin.bad", "profile foo {\n  /x r\n").await;
    let edits =
        s.request("textDocument/formatting", json!({ "textDocument": { "uri": bad }, "options": options })).await;
    assert_eq!(edits, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_lint_selectors_are_reported() {
    let mut s = TestServer::start(false).await;
    let base = s.dir.join("apparmor.d");
    s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "baseDir": base, "lint": { "select": ["security", "AA9"], "ignore": ["no-such-lint"] } } }),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let req =
            tokio::time::timeout_at(deadline, s.notifications.recv()).await.expect("a message in time").expect("open");
        if req.method() == "window/showMessage" {
            s.check(req.params().unwrap(), expect![[r#"
                {
                  "message": "aa-lint: `AA9`, `no-such-lint` in lint.select/lint.ignore: not a lint code, name or group (skipped)",
                  "type": 2
                }"#]]);
            break;
        }
    }
}
