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
