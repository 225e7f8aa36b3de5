//! Tests of the façade: one `check_*` helper per feature; the cases are data.

use std::{
    collections::BTreeMap,
    path::PathBuf,
    sync::Arc,
};

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
        out.push_str(&format!("{:?} {:?} [{}] {}\n", d.range, d.severity, d.code, d.message));
        for r in d.related {
            out.push_str(&format!("  related {}:{:?} {}\n", r.location.path.display(), r.location.range, r.message));
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
    let out: String =
        targets.iter().map(|t| format!("{} {:?} {:?} {}\n", t.path.display(), t.full_range, t.focus_range, t.name)).collect();
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
            0..27 Error [error-in-include] included file /etc/apparmor.d/abstractions/base has errors: `rwz` is not a file permission: expected letters from `rwalkmx` and exec modes such as `ix`, `px`, `Px`, `cx`, `ux`
              related /etc/apparmor.d/abstractions/base:21..24 `rwz` is not a file permission: expected letters from `rwalkmx` and exec modes such as `ix`, `px`, `Px`, `cx`, `ux`
            28..58 Error [unresolved-include] could not find include `abstractions/missing` in /etc/apparmor.d/abstractions
            86..96 Error [unknown-capability] `frobnicate` is not a capability: names are lower case without `CAP_`, e.g. `sys_admin`
            109..109 Error [syntax-error] expected `,` at the end of the rule
        "#]],
    );
}

#[test]
fn hover_capability() {
    check_hover("profile foo {\n  capability net_ad$0min,\n}\n", expect![[r#"
        27..36
        **capability `net_admin`** (`CAP_NET_ADMIN`)

        Configure interfaces, routing, firewalls and other network settings.
    "#]]);
}

#[test]
fn completion_capability() {
    check_completions("profile foo {\n  capability $0\n}\n", expect![[r#"
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
    "#]]);
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
    let (mut host, main, _) = setup(
        "include <extra>\n//- /opt/inc/extra\ncapability chown,\n",
    );
    let before = host.analysis().diagnostics(&main).unwrap();
    assert_eq!(before.len(), 1, "{before:?}");
    let mut change = Change::new();
    change.set_config(Config { include_dirs: vec![PathBuf::from("/opt/inc")], ..Config::default() });
    host.apply_change(change);
    let after = host.analysis().diagnostics(&main).unwrap();
    assert!(after.is_empty(), "{after:?}");
}
