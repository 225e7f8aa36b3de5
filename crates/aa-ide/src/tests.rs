//! Tests of the façade: one `check_*` helper per feature; the cases are data.

use std::{collections::BTreeMap, path::PathBuf, sync::Arc};

use expect_test::{Expect, expect};

use crate::*;

const MAIN: &str = "/etc/apparmor.d/usr.bin.foo";

/// `files`: `//- /path` headers followed by text. `$0` in the first file marks the cursor.
fn setup(fixture: &str) -> (AnalysisHost, PathBuf, TextSize) {
    let mut files = BTreeMap::new();
    let mut current: Option<(PathBuf, String)> = None;
    for line in fixture.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- ") {
            if let Some((p, t)) = current.take() {
                files.insert(p, t);
            }
            current = Some((PathBuf::from(path.trim()), String::new()));
        } else if let Some((_, t)) = current.as_mut() {
            t.push_str(line);
        } else {
            current = Some((PathBuf::from(MAIN), line.to_string()));
        }
    }
    if let Some((p, t)) = current.take() {
        files.insert(p, t);
    }
    let mut offset = TextSize::new(0);
    let mut main = PathBuf::from(MAIN);
    for (p, t) in files.iter_mut() {
        if let Some(i) = t.find("$0") {
            offset = TextSize::new(i as u32);
            *t = t.replacen("$0", "", 1);
            main = p.clone();
        }
    }
    let main_text = files.get(&main).cloned().unwrap_or_default();
    let mut host = AnalysisHost::new(Arc::new(aa_hir::db::MemoryLoader::new(files)), Config::default());
    let mut change = Change::new();
    change.set_file_text(&main, main_text);
    host.apply_change(change);
    (host, main, offset)
}

fn check_diagnostics(fixture: &str, expect: Expect) {
    let (host, main, _) = setup(fixture);
    let diags = host.analysis().diagnostics(&main).unwrap();
    let mut out = String::new();
    for d in diags {
        out.push_str(&format!("{:?} {:?} [{} {}] {}\n", d.range, d.severity, d.code, d.name, d.message));
        for r in d.related {
            out.push_str(&format!("  related {}:{:?} {}\n", r.location.path.display(), r.location.range, r.message));
        }
        if let Some(fix) = d.fix {
            out.push_str(&format!("  fix ({}) {}\n", if fix.safe { "safe" } else { "unsafe" }, fix.description));
        }
    }
    expect.assert_eq(&out);
}

fn check_hover(fixture: &str, expect: Expect) {
    let (host, main, offset) = setup(fixture);
    let hover = host.analysis().hover(&main, offset).unwrap();
    let out = match hover {
        Some(h) => format!("{:?}\n{}\n", h.range, h.markdown),
        None => "no hover\n".to_string(),
    };
    expect.assert_eq(&out);
}

fn check_completions(fixture: &str, expect: Expect) {
    let (host, main, offset) = setup(fixture);
    let items = host.analysis().completions(&main, offset).unwrap();
    let labels: Vec<String> = items.iter().take(12).map(|i| format!("{:?} {}", i.kind, i.label)).collect();
    let out = format!("{} items, replace {:?}\n{}\n", items.len(), items.first().map(|i| i.range), labels.join("\n"));
    expect.assert_eq(&out);
}

fn check_goto(fixture: &str, expect: Expect) {
    let (host, main, offset) = setup(fixture);
    let targets = host.analysis().goto_definition(&main, offset).unwrap();
    let out: String = targets
        .iter()
        .map(|t| format!("{} {:?} {:?} {}\n", t.path.display(), t.full_range, t.focus_range, t.name))
        .collect();
    expect.assert_eq(&out);
}

#[test]
fn diagnostics_syntax_semantic_and_includes() {
    check_diagnostics(
        r#"include <abstractions/base>
include <abstractions/missing>
profile foo {
  capability frobnicate,
  /tmp/x rw
}
//- /etc/apparmor.d/abstractions/base
capability chown,
/x rwz,
"#,
        expect![[r#"
            0..27 Error [AA001 syntax-error] in included file /etc/apparmor.d/abstractions/base: `rwz` is not a file permission: expected letters from `rwalkmx` and exec modes such as `ix`, `px`, `Px`, `cx`, `ux`
              related /etc/apparmor.d/abstractions/base:21..24 `rwz` is not a file permission: expected letters from `rwalkmx` and exec modes such as `ix`, `px`, `Px`, `cx`, `ux`
            28..58 Error [AA003 unresolved-include] could not find include `abstractions/missing` in /etc/apparmor.d/abstractions
            86..96 Error [AA058 unknown-capability] `frobnicate` is not a capability: names are lower case without `CAP_`, e.g. `sys_admin`
            109..109 Error [AA001 syntax-error] expected `,` at the end of the rule
        "#]],
    );
}

#[test]
fn hover_capability() {
    check_hover(
        "profile foo {\n  capability net_ad$0min,\n}\n",
        expect![[r#"
        27..36
        **capability `net_admin`** (`CAP_NET_ADMIN`)

        Configure interfaces, routing, firewalls and other network settings.
    "#]],
    );
}

#[test]
fn completion_capability() {
    check_completions(
        "profile foo {\n  capability $0\n}\n",
        expect![[r#"
        41 items, replace Some(27..27)
        Capability chown
        Capability dac_override
        Capability dac_read_search
        Capability fowner
        Capability fsetid
        Capability kill
        Capability setgid
        Capability setuid
        Capability setpcap
        Capability linux_immutable
        Capability net_bind_service
        Capability net_broadcast
    "#]],
    );
}

#[test]
fn goto_variable_through_include() {
    check_goto(
        "include <tunables/global>\nprofile foo {\n  @{HO$0ME}/x r,\n}\n//- /etc/apparmor.d/tunables/global\n@{HOME}=/home/*/ /root/\n",
        expect![[r#"
            /etc/apparmor.d/tunables/global 0..23 0..7 @{HOME}
        "#]],
    );
}

#[test]
fn settings_change_moves_include_search() {
    let (mut host, main, _) = setup("include <extra>\n//- /opt/inc/extra\ncapability chown,\n");
    let before = host.analysis().diagnostics(&main).unwrap();
    assert_eq!(before.len(), 1, "{before:?}");
    let mut change = Change::new();
    change.set_config(Config { include_dirs: vec![PathBuf::from("/opt/inc")], ..Config::default() });
    host.apply_change(change);
    let after = host.analysis().diagnostics(&main).unwrap();
    assert!(after.is_empty(), "{after:?}");
}

fn setup_with_lint(fixture: &str, select: &[&str]) -> (AnalysisHost, PathBuf, TextSize) {
    let (mut host, main, offset) = setup(fixture);
    let mut change = Change::new();
    let lint =
        LintConfig { select: select.iter().map(|s| s.to_string()).collect(), ignore: Vec::new(), projects: Vec::new() };
    change.set_config(Config { lint, ..Config::default() });
    host.apply_change(change);
    (host, main, offset)
}

/// Applies the edits of one file from the end.
fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start(), e.range.end())));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(usize::from(e.range.start())..usize::from(e.range.end()), &e.new_text);
    }
    out
}

fn check_lint_diagnostics(fixture: &str, select: &[&str], expect: Expect) {
    let (host, main, _) = setup_with_lint(fixture, select);
    let diags = host.analysis().diagnostics(&main).unwrap();
    let mut out = String::new();
    for d in diags {
        out.push_str(&format!("{:?} {:?} [{} {} {}] {}\n", d.range, d.severity, d.code, d.name, d.group, d.message));
        for r in d.related {
            out.push_str(&format!("  related {}:{:?} {}\n", r.location.path.display(), r.location.range, r.message));
        }
        if let Some(fix) = d.fix {
            out.push_str(&format!("  fix ({}) {}\n", if fix.safe { "safe" } else { "unsafe" }, fix.description));
        }
    }
    expect.assert_eq(&out);
}

/// Every code action at `$0`, with the text of the main file after it.
fn check_assists(fixture: &str, select: &[&str], expect: Expect) {
    let (host, main, offset) = setup_with_lint(fixture, select);
    let analysis = host.analysis();
    let text = analysis.file_text(&main).unwrap().unwrap();
    let mut out = String::new();
    for a in analysis.code_actions(&main, TextRange::empty(offset)).unwrap() {
        out.push_str(&format!("{:?} preferred={} {} [{}]\n", a.kind, a.preferred, a.label, a.diagnostic.code));
        for (path, edits) in &a.change.edits {
            if *path == main {
                out.push_str(&apply(&text, edits));
            } else {
                out.push_str(&format!("edits {}: {edits:?}\n", path.display()));
            }
        }
        out.push_str("--\n");
    }
    expect.assert_eq(&out);
}

#[test]
fn lint_findings_with_codes_related_places_and_fixes() {
    check_lint_diagnostics(
        "profile foo {\n  include <abstractions/wide>\n  /etc/foo r,\n  /etc/foo r,\n  capability sys_admin,\n}\n//- /etc/apparmor.d/abstractions/wide\n/** w,\n",
        &[],
        expect![[r#"
            16..43 Error [AA101 overbroad-glob security] in included file /etc/apparmor.d/abstractions/wide: `/** w,` grants write over every file
              related /etc/apparmor.d/abstractions/wide:0..6 `/** w,` grants write over every file
            60..71 Warning [AA201 duplicate-rule correctness] `/etc/foo r,` repeats a rule of profile `foo` (earlier in this file)
              related /etc/apparmor.d/usr.bin.foo:46..57 the same rule
              fix (safe) delete the repeated rule
            74..95 Error [AA106 dangerous-capability security] dangerous capability `sys_admin`: it bypasses the checks confinement relies on
        "#]],
    );
}

#[test]
fn lint_selection_by_code_name_and_group() {
    let fixture = "profile foo {\n  /etc/foo r,\n  /etc/foo r,\n  capability sys_admin,\n  capability frob,\n}\n";
    check_lint_diagnostics(
        fixture,
        &["AA201"],
        expect![[r#"
        30..41 Warning [AA201 duplicate-rule correctness] `/etc/foo r,` repeats a rule of profile `foo` (earlier in this file)
          related /etc/apparmor.d/usr.bin.foo:16..27 the same rule
          fix (safe) delete the repeated rule
    "#]],
    );
    check_lint_diagnostics(
        fixture,
        &["dangerous-capability", "parser"],
        expect![[r#"
        44..65 Error [AA106 dangerous-capability security] dangerous capability `sys_admin`: it bypasses the checks confinement relies on
        79..83 Error [AA058 unknown-capability parser] `frob` is not a capability: names are lower case without `CAP_`, e.g. `sys_admin`
    "#]],
    );
    let (mut host, main, _) = setup(fixture);
    let mut change = Change::new();
    let lint = LintConfig { select: vec![], ignore: vec!["security".into(), "AA2".into()], projects: Vec::new() };
    change.set_config(Config { lint, ..Config::default() });
    host.apply_change(change);
    let codes: Vec<String> = host.analysis().diagnostics(&main).unwrap().into_iter().map(|d| d.code).collect();
    assert_eq!(codes, ["AA058"]);
}

#[test]
fn assists_fix_and_suppress() {
    check_assists(
        "profile foo {\n  /etc/foo r,\n  /etc/f$0oo r,\n}\n",
        &[],
        expect![[r#"
            QuickFix preferred=true delete the repeated rule [AA201]
            profile foo {
              /etc/foo r,
            }
            --
            Suppress preferred=false Suppress duplicate-rule (AA201) here [AA201]
            profile foo {
              /etc/foo r,
              # aa-lint: allow(duplicate-rule) TODO: say why this is fine
              /etc/foo r,
            }
            --
        "#]],
    );
}

#[test]
fn assists_unsafe_fix_is_not_preferred() {
    check_assists(
        "profile foo {\n  include <abstractions/dbus-sess$0ion>\n}\n//- /etc/apparmor.d/abstractions/dbus-session\n\n//- /etc/apparmor.d/abstractions/dbus-session-strict\n\n",
        &[],
        expect![[r#"
            QuickFix preferred=false include `<abstractions/dbus-session-strict>` instead (unsafe fix: review it) [AA102]
            profile foo {
              include <abstractions/dbus-session-strict>
            }
            --
            Suppress preferred=false Suppress missing-strict-abstraction (AA102) here [AA102]
            profile foo {
              # aa-lint: allow(missing-strict-abstraction) TODO: say why this is fine
              include <abstractions/dbus-session>
            }
            --
        "#]],
    );
}

#[test]
fn no_suppression_for_parser_findings() {
    check_assists("profile foo {\n  capability fr$0ob,\n}\n", &[], expect![""]);
}

#[test]
fn fix_all_applies_safe_fixes() {
    let (host, main, _) =
        setup_with_lint("profile foo {\n  /etc/foo r,\n  /etc/foo r,\n  /etc/bar wr,  \n  /etc/baz/ r,\n}\n", &["all"]);
    let analysis = host.analysis();
    let text = analysis.file_text(&main).unwrap().unwrap();
    let edits = analysis.fix_all(&main).unwrap();
    expect![[r#"
        profile foo {
          /etc/foo r,
          /etc/bar rw,
          /etc/baz/ r,
        }

        # vim:syntax=apparmor
    "#]]
    .assert_eq(&apply(&text, &edits));
}

#[test]
fn formatting_whole_file_and_range() {
    let (host, main, _) = setup("profile foo {\ncapability chown,\n     /etc/x r,\n  ^hat {\n/y w,\n  }\n}\n");
    let analysis = host.analysis();
    let text = analysis.file_text(&main).unwrap().unwrap();
    let edits = analysis.format(&main, &Default::default()).unwrap().unwrap();
    expect![[r#"
        profile foo {
          capability chown,
          /etc/x r,
          ^hat {
            /y w,
          }
        }
    "#]]
    .assert_eq(&apply(&text, &edits));
    // Only the second rule.
    let start = TextSize::new(text.find("/etc").unwrap() as u32);
    let edits = analysis.format_range(&main, TextRange::empty(start), &Default::default()).unwrap().unwrap();
    expect![[r#"
        profile foo {
        capability chown,
          /etc/x r,
          ^hat {
        /y w,
          }
        }
    "#]]
    .assert_eq(&apply(&text, &edits));
    // Syntax errors: no edits.
    let (host, main, _) = setup("profile foo {\n  /x r\n");
    assert_eq!(host.analysis().format(&main, &Default::default()).unwrap(), None);
}

#[test]
fn hover_explains_the_lint_of_a_diagnostic() {
    check_hover(
        "profile foo {\n  /etc/foo r,\n  /etc/f$0oo r,\n}\n",
        expect![[r#"
        30..38
        **Effective permissions** at `/etc/foo` in `foo`: `r`

        From:
        - `r`: `/etc/foo r,` (usr.bin.foo:2)
        - `r`: `/etc/foo r,` (usr.bin.foo:3)

        ---

        **lint `duplicate-rule`** (AA201, correctness)

        A rule that repeats another rule of the same profile exactly (same qualifiers, same rule after variable expansion), where at least one of the two is written in the file being linted: a rule the profile already has, or already gets from an abstraction.
    "#]],
    );
}

#[test]
fn hover_variable_shows_the_expanded_value() {
    check_hover(
        "include <tunables/global>\nprofile foo {\n  @{MY$0DIRS}/** r,\n}\n//- /etc/apparmor.d/tunables/global\n@{BASE}=/srv /opt\n@{MYDIRS}=@{BASE}/data\n@{MYDIRS}+=/var/lib/foo\n",
        expect![[r#"
            42..51
            **variable `@{MYDIRS}`**

            ```apparmor
            @{MYDIRS} = /var/lib/foo @{BASE}/data
            ```

            Expands to `{/opt/data,/srv/data,/var/lib/foo}`.

            Defined in:
            - `/etc/apparmor.d/tunables/global` (=)
            - `/etc/apparmor.d/tunables/global` (+=)
        "#]],
    );
}

#[test]
fn suppression_action_on_an_include_line_silences_the_abstraction_finding() {
    let fixture = "profile foo {\n  include <abstractions/wi$0de>\n}\n//- /etc/apparmor.d/abstractions/wide\n/** w,\n";
    let (mut host, main, offset) = setup_with_lint(fixture, &[]);
    let analysis = host.analysis();
    let text = analysis.file_text(&main).unwrap().unwrap();
    let assists = analysis.code_actions(&main, TextRange::empty(offset)).unwrap();
    let suppress = assists.iter().find(|a| a.kind == AssistKind::Suppress).expect("a suppression action");
    let new_text = apply(&text, &suppress.change.edits[0].1);
    drop(analysis);
    let mut change = Change::new();
    change.set_file_text(&main, new_text.clone());
    host.apply_change(change);
    let after: Vec<String> =
        host.analysis().diagnostics(&main).unwrap().into_iter().map(|d| format!("{} {}", d.code, d.message)).collect();
    expect![[r#"
        profile foo {
          # aa-lint: allow(overbroad-glob) TODO: say why this is fine
          include <abstractions/wide>
        }
        []
    "#]]
    .assert_eq(&format!("{new_text}{after:?}\n"));
}

#[test]
fn unknown_selectors_are_skipped() {
    let (host, main, _) = setup_with_lint(
        "profile foo {\n  capability frob,\n  capability sys_admin,\n}\n",
        &["no-such-lint", "AA058", "XYZ"],
    );
    let codes: Vec<String> = host.analysis().diagnostics(&main).unwrap().into_iter().map(|d| d.code).collect();
    assert_eq!(codes, ["AA058"]);
}

#[test]
fn goto_profile_named_by_a_variable_through_the_model() {
    check_goto(
        "@{NAME}=helper\nprofile @{NAME} {\n}\nprofile foo {\n  /usr/bin/x Px -> hel$0per,\n}\n",
        expect![[r#"
            /etc/apparmor.d/usr.bin.foo 15..34 23..30 helper
        "#]],
    );
}

/// Every new request at every offset of odd inputs answers without a panic.
#[test]
fn new_features_never_panic() {
    let inputs = [
        "",
        "profile",
        "profile foo {\n  /x rw\n",
        "profile foo {\n  /etc/x r,\n  /etc/x r,\n  capability sys_admin,\n}\n# aa-lint: allow(\n",
        "\u{e9}\u{1F600} profile \"a b\" {\r\n\t/x  wr,  \r\n  include <abstractions/nope>\r\n}",
        "#include <tunables/global>\n@{A}=@{A}\nprofile p @{A} {\n  @{A} r,\n}\n",
    ];
    for text in inputs {
        let (host, main, _) = setup_with_lint(text, &["all"]);
        let a = host.analysis();
        a.diagnostics(&main).unwrap();
        a.fix_all(&main).unwrap();
        a.format(&main, &Default::default()).unwrap();
        for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let at = TextSize::new(i as u32);
            a.hover(&main, at).unwrap();
            a.code_actions(&main, TextRange::empty(at)).unwrap();
            a.format_range(&main, TextRange::new(TextSize::new(0), at), &Default::default()).unwrap();
        }
    }
}

/// Hover and code actions reuse the diagnostics publishing computed.
#[test]
fn diagnostics_are_memoised_per_revision() {
    let (host, main, offset) = setup("profile foo {\n  /etc/x r,\n  /etc/$0x r,\n}\n");
    let analysis = host.analysis();
    analysis.db.record_executions();
    analysis.diagnostics(&main).unwrap();
    let runs = analysis.db.take_executions();
    assert!(runs.iter().any(|q| q.contains("file_diagnostics")), "{runs:?}");
    analysis.hover(&main, offset).unwrap();
    analysis.code_actions(&main, TextRange::empty(offset)).unwrap();
    analysis.diagnostics(&main).unwrap();
    let runs = analysis.db.take_executions();
    assert!(!runs.iter().any(|q| q.contains("file_diagnostics")), "{runs:?}");
}

#[test]
fn hover_on_a_path_shows_the_effective_permissions() {
    check_hover(
        "profile foo /usr/bin/foo {\n  include <abstractions/tmp>\n  /tmp/foo/$0** rw,\n  deny /tmp/foo/a w,\n}\n//- /etc/apparmor.d/abstractions/tmp\n  owner /tmp/** rk,\n",
        expect![[r#"
            58..69
            **Effective permissions** at `/tmp/foo/a` (a path this glob matches) in `foo`: owner `rk` (denied `w`), others `r` (denied `w`)

            From:
            - `owner rk`: `owner /tmp/** rk,` (tmp:1)
            - `rw`: `/tmp/foo/** rw,` (usr.bin.foo:3)
            - `deny w`: `deny /tmp/foo/a w,` (usr.bin.foo:4)
        "#]],
    );
}

#[test]
fn hover_on_a_plain_path_names_it() {
    check_hover(
        "profile foo /usr/bin/foo {\n  /usr/bin/ba$0r Px,\n  /usr/bin/* r,\n}\n",
        expect![[r#"
            29..41
            **Effective permissions** at `/usr/bin/bar` in `foo`: `rPx`

            From:
            - `r`: `/usr/bin/* r,` (usr.bin.foo:3)
            - `Px`: `/usr/bin/bar Px,` (usr.bin.foo:2)
        "#]],
    );
}

/// The profile is compiled on the first path hover, then kept for the revision.
#[test]
fn path_hover_compiles_once_per_revision() {
    let (host, main, offset) = setup("profile foo {\n  /etc/$0x r,\n  /etc/* w,\n}\n");
    let analysis = host.analysis();
    analysis.db.record_executions();
    analysis.diagnostics(&main).unwrap();
    let runs = analysis.db.take_executions();
    assert!(!runs.iter().any(|q| q.contains("compiled_policy")), "diagnostics compiled the profile: {runs:?}");
    assert!(analysis.hover(&main, offset).unwrap().is_some());
    let runs = analysis.db.take_executions();
    assert!(runs.iter().any(|q| q.contains("compiled_policy")), "{runs:?}");
    analysis.hover(&main, offset + TextSize::new(1)).unwrap();
    let runs = analysis.db.take_executions();
    assert!(!runs.iter().any(|q| q.contains("compiled_policy")), "{runs:?}");
}

#[test]
fn hover_directive_shows_its_expansion() {
    check_hover(
        "profile foo {\n  #aa:dbus s$0ee bus=session name=org.example.Foo label=foo-daemon\n}\n",
        expect![[r#"
        16..78
        **build directive**: the build replaces it with

        ```apparmor
        unix type=stream peer=(label=foo-daemon),
        dbus send bus=session path=/org/example/Foo{,/**} interface=org.freedesktop.DBus.Properties member={Get,GetAll} peer=(name="{@{busname},org.example.Foo{,.*}}", label=foo-daemon),
        dbus receive bus=session path=/org/example/Foo{,/**} interface=org.freedesktop.DBus.Properties member=PropertiesChanged peer=(name="{@{busname},org.example.Foo{,.*}}", label=foo-daemon),
        dbus send bus=session path=/org/example/Foo{,/**} interface=org.freedesktop.DBus.Introspectable member=Introspect peer=(name="{@{busname},org.example.Foo{,.*}}", label=foo-daemon),
        ```
    "#]],
    );
    check_hover(
        "profile foo {\n  #aa:on$0ly opensuse\n  /etc/zypp r,\n}\n",
        expect![[r#"
        16..33
        **build filter**: the line or paragraph below exists only in `opensuse`

        Builds that keep it: opensuse

        not in every build, so left out (lint one build with `--target-distribution`)
    "#]],
    );
}

#[test]
fn stack_directive_hover_and_definition() {
    let fixture = "profile foo {\n  #aa:stack X ba$0r\n}\n//- /etc/apparmor.d/groups/x/bar\n@{exec_path} = /usr/bin/bar\nprofile bar @{exec_path} {\n  include <abstractions/base>\n  @{exec_path} mr,\n  /usr/bin/env ix,\n  /etc/bar r,\n}\n";
    check_hover(
        fixture,
        expect![[r#"
            16..31
            **stack**: the build adds the rules of bar at the end of this profile

            ```apparmor
            # Stacked profile: bar
              /usr/bin/env ix,
              /etc/bar r,
            ```
        "#]],
    );
    check_goto(
        fixture,
        expect![[r#"
        /etc/apparmor.d/groups/x/bar 28..138 36..39 bar
    "#]],
    );
    check_goto(&fixture.replace("#aa:stack X ba$0r", "#aa:st$0ack X bar"), expect![[r#""#]]);
    check_goto(
        &fixture.replace("#aa:stack X ba$0r", "#aa:exec P b$0ar"),
        expect![[r#"
        /etc/apparmor.d/groups/x/bar 28..138 36..39 bar
    "#]],
    );
}

/// Once the workspace is indexed, its policy files (with what the base
/// directory has installed) are the policy: a transition target none of
/// them defines is flagged; before, the rest of the policy is unknown.
#[test]
fn workspace_policy_judges_targets_of_other_files() {
    let fixture = "//- /ws/launcher
profile launcher /usr/bin/launcher {
  /usr/bin/viewer px -> viewer,
  /usr/bin/installed px -> installed,
  /usr/bin/editor px -> veiwer,$0
}
//- /ws/viewer
profile viewer /usr/bin/viewer { }
//- /etc/apparmor.d/installed
profile installed /usr/bin/installed { }
";
    let (mut host, main, _) = setup_with_lint(fixture, &["undefined-transition-target"]);
    let messages = |host: &AnalysisHost| -> Vec<String> {
        host.analysis().diagnostics(&main).unwrap().into_iter().map(|d| d.message).collect()
    };
    assert_eq!(messages(&host), Vec::<String>::new(), "not judged before the workspace is known");
    let mut change = Change::new();
    change.workspace_files = Some(vec![PathBuf::from("/ws/launcher"), PathBuf::from("/ws/viewer")]);
    host.apply_change(change);
    let found = messages(&host);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("`veiwer`"), "{found:?}");
}
