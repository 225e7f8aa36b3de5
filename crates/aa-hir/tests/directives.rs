//! apparmor.d's `#aa:` build directives in the resolved model: dbus and exec
//! directives become the rules the collection's build writes, located at the
//! directive; `#aa:only` / `#aa:exclude` blocks follow the target build; the
//! syntax tree is unchanged (directives stay comments).

mod common;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::{
    db::{Db, RootDatabase},
    directives::file_directives,
    model::{RuleKind, policy_model},
};

const PROFILE: &str = "\
@{bin} = /usr/bin
profile foo /usr/bin/foo {
  #aa:dbus own bus=system name=org.example.Foo
  #aa:exec bar

  #aa:only debian
  /etc/debian-only r,

  /etc/always r, #aa:exclude arch
  /etc/common r,
}
";

const BAR: &str = "@{exec_path} = @{bin}/bar /usr/lib/bar/helper\nprofile bar @{exec_path} {\n}\n";

fn db(distribution: Option<&str>) -> RootDatabase {
    let files = [
        ("/etc/apparmor.d/foo", PROFILE),
        ("/etc/apparmor.d/groups/x/bar", BAR),
        ("/etc/apparmor.d/abstractions/bus/system/own", "  dbus send bus=system path=/org/freedesktop/DBus,\n"),
    ];
    let mut db = RootDatabase::new(
        Arc::new(common::memory(&files)),
        vec![],
        PathBuf::from("/etc/apparmor.d"),
        PathBuf::from("/"),
    );
    db.set_target_distribution(distribution.map(str::to_string));
    db
}

fn paths(db: &RootDatabase) -> Vec<String> {
    let model = policy_model(db, db.file(Path::new("/etc/apparmor.d/foo")));
    model.profiles[0]
        .rules
        .iter()
        .filter_map(|r| match &*r.kind {
            RuleKind::File { path: Some(p), perms, .. } => Some(format!("{p} {perms}")),
            _ => None,
        })
        .collect()
}

#[test]
fn dbus_rules_are_located_at_the_directive() {
    let db = db(None);
    let root = db.file(Path::new("/etc/apparmor.d/foo"));
    let model = policy_model(&db, root);
    let at = PROFILE.find("#aa:dbus").unwrap() as u32;
    let dbus: Vec<_> = model.profiles[0]
        .rules
        .iter()
        .filter(|r| matches!(&*r.kind, RuleKind::Other { class: aa_syntax::SyntaxKind::DBUS_RULE, .. }))
        .collect();
    // 7 rules of the directive, and the one of abstractions/bus/system/own.
    assert_eq!(dbus.len(), 8, "{dbus:#?}");
    let located: Vec<_> = dbus.iter().filter(|r| u32::from(r.origin.location.range.start()) == at).collect();
    assert_eq!(located.len(), 7);
    let spliced = dbus.iter().find(|r| r.origin.location.file != root).unwrap();
    assert_eq!(
        u32::from(spliced.origin.via[0].range.start()),
        at,
        "the own abstraction is brought in by the directive"
    );
    assert!(file_directives(&db, root).errors.is_empty());
}

#[test]
fn exec_uses_the_target_profiles_exec_path() {
    let got = paths(&db(None));
    assert!(got.contains(&"/usr/bin/bar Px".to_string()), "{got:?}");
    assert!(got.contains(&"/usr/lib/bar/helper Px".to_string()), "{got:?}");
}

#[test]
fn filters_follow_the_target_build() {
    let common = paths(&db(None));
    assert!(common.contains(&"/etc/common r".to_string()));
    assert!(!common.iter().any(|p| p.starts_with("/etc/debian-only") || p.starts_with("/etc/always")), "{common:?}");
    let debian = paths(&db(Some("debian")));
    assert!(debian.contains(&"/etc/debian-only r".to_string()) && debian.contains(&"/etc/always r".to_string()));
    let arch = paths(&db(Some("arch")));
    assert!(!arch.iter().any(|p| p.starts_with("/etc/debian-only") || p.starts_with("/etc/always")), "{arch:?}");
    assert!(arch.contains(&"/etc/common r".to_string()));
}

#[test]
fn bad_directives_are_reported() {
    let files = [(
        "/etc/apparmor.d/foo",
        "profile foo {\n  #aa:dbus talk bus=system name=x\n  #aa:exec nosuch\n  #aa:frob\n}\n",
    )];
    let db = RootDatabase::new(
        Arc::new(common::memory(&files)),
        vec![],
        PathBuf::from("/etc/apparmor.d"),
        PathBuf::from("/"),
    );
    let errors: Vec<String> = file_directives(&db, db.file(Path::new("/etc/apparmor.d/foo")))
        .errors
        .iter()
        .map(|e| e.message.clone())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].contains("label="));
    assert!(errors[1].contains("no profile file named `nosuch`"));
    assert!(errors[2].contains("not a directive"));
}

const STACKED: &str = "\
@{exec_path} = /usr/bin/baz
profile baz @{exec_path} {
  include <abstractions/base>
  @{exec_path} mr,
  /usr/bin/helper ix,
  network unix,
  /etc/baz.conf r,
  #aa:only debian
  /etc/baz-debian r,

  include if exists <local/baz>
}
";

fn stack_db(parent: &str) -> RootDatabase {
    let files = [
        ("/etc/apparmor.d/parent", parent),
        ("/etc/apparmor.d/groups/x/baz", STACKED),
        ("/etc/apparmor.d/abstractions/base", "/etc/ld.so.cache r,\n"),
        ("/etc/apparmor.d/local/baz", "/etc/baz-local r,\n"),
    ];
    RootDatabase::new(Arc::new(common::memory(&files)), vec![], PathBuf::from("/etc/apparmor.d"), PathBuf::from("/"))
}

fn parent_rules(db: &RootDatabase) -> Vec<(String, u32)> {
    let model = policy_model(db, db.file(Path::new("/etc/apparmor.d/parent")));
    model.profiles[0]
        .rules
        .iter()
        .map(|r| {
            let kind = match &*r.kind {
                RuleKind::File { path: Some(p), perms, .. } => format!("{p} {perms}"),
                RuleKind::Other { class, .. } => format!("{class:?}"),
                other => format!("{other:?}"),
            };
            // Where the rule is seen from the parent: its first include site.
            let top = r.origin.via.first().map_or(r.origin.location.range, |l| l.range);
            (kind, u32::from(top.start()))
        })
        .collect()
}

/// `#aa:stack` reads the stacked profile's body as the build pastes it:
/// without the base abstraction, the `@{exec_path}` lines and (without `X`)
/// any line with `x,`; the stacked file's own directives stay comments (its
/// `#aa:only` does not filter); includes in it are followed; every rule is
/// seen at the directive.
#[test]
fn stack_pastes_the_stacked_body() {
    let parent = "profile parent /usr/bin/parent {\n  /etc/parent r,\n  #aa:stack baz\n}\n";
    let db = stack_db(parent);
    let at = parent.find("#aa:stack").unwrap() as u32;
    let got = parent_rules(&db);
    let stacked: Vec<&str> = got.iter().filter(|(_, top)| *top == at).map(|(k, _)| k.as_str()).collect();
    assert_eq!(stacked, ["/etc/baz.conf r", "/etc/baz-debian r", "/etc/baz-local r"], "{got:?}");
    assert!(got.contains(&("/etc/parent r".into(), parent.find("/etc/parent").unwrap() as u32)));

    let keep = "profile parent /usr/bin/parent {\n  #aa:stack X baz\n}\n";
    let got = parent_rules(&stack_db(keep));
    let kinds: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["/usr/bin/helper ix", "NETWORK_RULE", "/etc/baz.conf r", "/etc/baz-debian r", "/etc/baz-local r"]
    );
}

#[test]
fn stack_hover_text_and_errors() {
    let db = stack_db("profile parent {\n  #aa:stack baz\n}\n");
    let text = aa_hir::directives::stacked_text(&db, false, &["baz".to_string()]);
    assert_eq!(
        text,
        "# Stacked profile: baz\n  /etc/baz.conf r,\n  #aa:only debian\n  /etc/baz-debian r,\n  include if exists <local/baz>\n"
    );
    // A stacked file that stacks the parent back stops there.
    let files = [
        ("/etc/apparmor.d/a", "profile a {\n  /a r,\n  #aa:stack b\n}\n"),
        ("/etc/apparmor.d/b", "profile b {\n  /b r,\n  #aa:stack a\n}\n"),
        ("/etc/apparmor.d/c", "@{x} = 1\n"),
        ("/etc/apparmor.d/d", "profile d {\n  #aa:stack c\n}\n"),
    ];
    let db = RootDatabase::new(
        Arc::new(common::memory(&files)),
        vec![],
        PathBuf::from("/etc/apparmor.d"),
        PathBuf::from("/"),
    );
    let model = policy_model(&db, db.file(Path::new("/etc/apparmor.d/a")));
    assert_eq!(model.profiles[0].rules.len(), 2, "{:#?}", model.profiles[0].rules);
    let errors: Vec<String> = file_directives(&db, db.file(Path::new("/etc/apparmor.d/d")))
        .errors
        .iter()
        .map(|e| e.message.clone())
        .collect();
    assert_eq!(errors, ["the profile file `c` has no `profile` block to stack"]);
}

/// Real profiles of the apparmor.d collection, stacked into a parent: the
/// parent gains exactly the rules of each stacked profile's own model,
/// less those the build leaves out (lines with the base abstraction,
/// `@{exec_path}` or `x,`) and those of the stacked file's own directives.
#[test]
fn stacking_apparmor_d_profiles() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/apparmor.d");
    let base = [Path::new("/root/.cache/apparmor-oracle/4.1.0/src/profiles/apparmor.d"), Path::new("/etc/apparmor.d")]
        .into_iter()
        .find(|b| b.join("tunables/global").is_file());
    let (true, Some(base)) = (tree.is_dir(), base) else {
        eprintln!("\n!!! SKIPPED: no apparmor.d corpus or standard policy !!!\n");
        return;
    };
    let scratch = std::env::temp_dir().join(format!("aa-hir-stack-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    // The parent has the stacked profile's name: pasted text reads
    // `@{profile_name}` as the parent's name.
    for name in ["systemd-oomd", "plymouth", "systemd-timesyncd", "gdm"] {
        let parent_path = scratch.join("parent");
        let parent = format!(
            "include <tunables/global>\nprofile {name} /usr/bin/parent {{\n  include <abstractions/base>\n  #aa:stack {name}\n}}\n"
        );
        std::fs::write(&parent_path, &parent).unwrap();
        let db =
            RootDatabase::new(Arc::new(common::FsLoader), vec![tree.clone()], base.to_path_buf(), PathBuf::from("/"));
        let root = db.file(&parent_path);
        assert!(file_directives(&db, root).errors.is_empty(), "{:?}", file_directives(&db, root).errors);
        let at = parent.find("#aa:stack").unwrap() as u32;
        let model = policy_model(&db, root);
        let mut pasted: Vec<String> = model.profiles[0]
            .rules
            .iter()
            .filter(|r| r.origin.via.first().is_some_and(|l| u32::from(l.range.start()) == at))
            .map(|r| format!("{:?} {:?} {:?}", r.origin.location, &r.origin.via[1..], r.kind))
            .collect();
        let file = aa_hir::directives::profile_file(&db, name).unwrap_or_else(|| panic!("{name} not found"));
        let body = aa_hir::directives::stacked_body(&db, file, false).unwrap();
        let own = file_directives(&db, file);
        let stacked_model = policy_model(&db, file);
        let profile = stacked_model.profiles.iter().find(|p| p.name == name).unwrap();
        let mut expected = Vec::new();
        for rule in &profile.rules {
            let top = rule.origin.via.first().copied().unwrap_or(rule.origin.location);
            assert_eq!(top.file, file);
            let left_out = body.left_out.iter().any(|r| r.contains(top.range.start()));
            let from_directive = own.directives.iter().any(|d| d.range.contains(top.range.start()));
            if !left_out && !from_directive {
                expected.push(format!("{:?} {:?} {:?}", rule.origin.location, &rule.origin.via[..], rule.kind));
            }
        }
        assert!(expected.len() > 10 && expected.len() < profile.rules.len(), "{name}: {} rules", expected.len());
        pasted.sort();
        expected.sort();
        let extra: Vec<_> = pasted.iter().filter(|r| !expected.contains(r)).collect();
        let missing: Vec<_> = expected.iter().filter(|r| !pasted.contains(r)).collect();
        assert_eq!((extra, missing), (vec![], vec![]), "{name}: (pasted, not expected), (expected, not pasted)");
        assert_eq!(pasted, expected);
    }
    std::fs::remove_dir_all(&scratch).unwrap();
}
