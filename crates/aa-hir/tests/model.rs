//! The resolved model: includes spliced into profiles with their origin,
//! variables expanded, conditionals decided, qualifier blocks distributed.

mod common;

use std::{
    fmt::Write,
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::{
    db::{Db, RootDatabase},
    model::{RuleKind, policy_model},
};

fn dump(files: &[(&str, &str)]) -> String {
    let db = RootDatabase::new(
        Arc::new(common::memory(files)),
        vec![],
        PathBuf::from("/etc/apparmor.d"),
        PathBuf::from("/"),
    );
    dump_root(&db, files[0].0)
}

fn dump_root(db: &RootDatabase, path: &str) -> String {
    let root = db.file(Path::new(path));
    let model = policy_model(db, root);
    let mut out = String::new();
    for profile in &model.profiles {
        let _ = writeln!(
            out,
            "{:?} {} attach={:?} flags={:?}",
            profile.kind, profile.name, profile.attachment, profile.flags
        );
        for rule in &profile.rules {
            let via: Vec<String> = rule.origin.via.iter().map(|l| l.file.path(db).display().to_string()).collect();
            let from = rule.origin.location.file.path(db).display().to_string();
            let kind = match &*rule.kind {
                RuleKind::File { path, perms, target, .. } => format!("file {path:?} {perms} -> {target:?}"),
                other => format!("{other:?}"),
            };
            let _ = writeln!(out, "  {kind} {:?} from {from} via {via:?}", rule.qualifiers);
        }
    }
    out
}

#[test]
fn model_of_a_profile_with_includes_variables_and_conditionals() {
    let out = dump(&[
        (
            "/etc/apparmor.d/usr.bin.foo",
            concat!(
                "include <tunables/global>\n",
                "$debug = false\n",
                "profile foo /usr/bin/foo flags=(complain) {\n",
                "  include <abstractions/base>\n",
                "  @{HOME}/.foo/** rw,\n",
                "  /usr/bin/helper Px -> @{profile_name}_helper,\n",
                "  audit deny { /etc/shadow r, owner /etc/gshadow r, }\n",
                "  if $debug { /debug/** rw, } else { /var/log/foo.log w, }\n",
                "  capability net_bind_service,\n",
                "  signal (send) set=(hup) peer=@{profile_name},\n",
                "  ^hat { /tmp/hat r, }\n",
                "}\n",
            ),
        ),
        ("/etc/apparmor.d/tunables/global", "@{HOME}=/home/*/ /root/\n"),
        ("/etc/apparmor.d/abstractions/base", "/etc/ld.so.cache r,\ninclude <abstractions/nested>\n"),
        ("/etc/apparmor.d/abstractions/nested", "/lib/** mr,\n"),
    ]);
    expect_test::expect![[r#"
        TopLevel foo attach=Some("/usr/bin/foo") flags=["complain"]
          file Some("/etc/ld.so.cache") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/base via ["/etc/apparmor.d/usr.bin.foo"]
          file Some("/lib/**") mr -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/nested via ["/etc/apparmor.d/usr.bin.foo", "/etc/apparmor.d/abstractions/base"]
          file Some("{/home/*,/root}/.foo/**") rw -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/usr.bin.foo via []
          file Some("/usr/bin/helper") Px -> Some("foo_helper") Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/usr.bin.foo via []
          file Some("/etc/shadow") r -> None Qualifiers { audit: true, mode: Deny, owner: Any, priority: None } from /etc/apparmor.d/usr.bin.foo via []
          file Some("/etc/gshadow") r -> None Qualifiers { audit: true, mode: Deny, owner: Owner, priority: None } from /etc/apparmor.d/usr.bin.foo via []
          file Some("/var/log/foo.log") w -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/usr.bin.foo via []
          Capability { names: ["net_bind_service"] } Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/usr.bin.foo via []
          Other { class: SIGNAL_RULE, access: ["send"], words: [], conditions: [Condition { name: "set", values: ["hup"], group: [] }, Condition { name: "peer", values: ["foo"], group: [] }] } Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/usr.bin.foo via []
        Hat foo//hat attach=None flags=[]
          file Some("/tmp/hat") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/usr.bin.foo via []
    "#]]
    .assert_eq(&out);
}

/// An included file is read once per set of variable values it sees and
/// shared by the profiles that include it; what depends on the including
/// profile (`@{profile_name}`, hats defined in the file, qualifier blocks
/// around the include) stays per profile.
#[test]
fn included_files_are_shared_between_profiles_but_keep_what_is_per_profile() {
    let files = [
        (
            "/etc/apparmor.d/one",
            concat!(
                "include <tunables/global>\n",
                "$extra = true\n",
                "profile one {\n",
                "  include <abstractions/shared>\n",
                "  audit deny { include <abstractions/plain> }\n",
                "}\n",
            ),
        ),
        (
            "/etc/apparmor.d/two",
            concat!(
                "include <tunables/global>\n",
                "$extra = false\n",
                "profile two {\n",
                "  include <abstractions/shared>\n",
                "  include <abstractions/plain>\n",
                "}\n",
            ),
        ),
        ("/etc/apparmor.d/tunables/global", "@{run}=/run /var/run\n"),
        (
            "/etc/apparmor.d/abstractions/shared",
            concat!(
                "@{run}/shared r,\n",
                "/tmp/@{profile_name}.log w,\n",
                "if $extra { /extra r, }\n",
                "include <abstractions/plain>\n",
                "^hat { /hat r, }\n",
            ),
        ),
        ("/etc/apparmor.d/abstractions/plain", "/plain r,\n"),
    ];
    let db = RootDatabase::new(
        Arc::new(common::memory(&files)),
        vec![],
        PathBuf::from("/etc/apparmor.d"),
        PathBuf::from("/"),
    );
    expect_test::expect![[r#"
        TopLevel one attach=None flags=[]
          file Some("{/run,/var/run}/shared") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/shared via ["/etc/apparmor.d/one"]
          file Some("/tmp/one.log") w -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/shared via ["/etc/apparmor.d/one"]
          file Some("/extra") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/shared via ["/etc/apparmor.d/one"]
          file Some("/plain") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/plain via ["/etc/apparmor.d/one", "/etc/apparmor.d/abstractions/shared"]
          file Some("/plain") r -> None Qualifiers { audit: true, mode: Deny, owner: Any, priority: None } from /etc/apparmor.d/abstractions/plain via ["/etc/apparmor.d/one"]
        Hat one//hat attach=None flags=[]
          file Some("/hat") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/shared via ["/etc/apparmor.d/one"]
    "#]]
    .assert_eq(&dump_root(&db, "/etc/apparmor.d/one"));
    expect_test::expect![[r#"
        TopLevel two attach=None flags=[]
          file Some("{/run,/var/run}/shared") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/shared via ["/etc/apparmor.d/two"]
          file Some("/tmp/two.log") w -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/shared via ["/etc/apparmor.d/two"]
          file Some("/plain") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/plain via ["/etc/apparmor.d/two", "/etc/apparmor.d/abstractions/shared"]
          file Some("/plain") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/plain via ["/etc/apparmor.d/two"]
        Hat two//hat attach=None flags=[]
          file Some("/hat") r -> None Qualifiers { audit: false, mode: Allow, owner: Any, priority: None } from /etc/apparmor.d/abstractions/shared via ["/etc/apparmor.d/two"]
    "#]]
    .assert_eq(&dump_root(&db, "/etc/apparmor.d/two"));

    // `/plain r,` is one shared value for both profiles and every include of
    // it: `abstractions/plain` mentions no variable, so all see the same view.
    let one = policy_model(&db, db.file(Path::new("/etc/apparmor.d/one")));
    let two = policy_model(&db, db.file(Path::new("/etc/apparmor.d/two")));
    let plain = |rules: &[aa_hir::model::Rule]| {
        rules
            .iter()
            .filter(|r| matches!(&*r.kind, RuleKind::File { path: Some(p), .. } if p == "/plain"))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (plain_one, plain_two) = (plain(&one.profiles[0].rules), plain(&two.profiles[0].rules));
    assert!(plain_one.iter().chain(&plain_two).all(|r| Arc::ptr_eq(&r.kind, &plain_one[0].kind)));
}
