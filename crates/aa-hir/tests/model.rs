//! The resolved model: includes spliced into profiles with their origin,
//! variables expanded, conditionals decided, qualifier blocks distributed.

mod common;

use std::{fmt::Write, path::{Path, PathBuf}, sync::Arc};

use aa_hir::{
    db::{Db, RootDatabase},
    model::{RuleKind, policy_model},
};

fn dump(files: &[(&str, &str)]) -> String {
    let db = RootDatabase::new(Arc::new(common::memory(files)), vec![], PathBuf::from("/etc/apparmor.d"), PathBuf::from("/"));
    let root = db.file(Path::new(files[0].0));
    let model = policy_model(&db, root);
    let mut out = String::new();
    for profile in &model.profiles {
        let _ = writeln!(
            out,
            "{:?} {} attach={:?} flags={:?}",
            profile.kind, profile.name, profile.attachment, profile.flags
        );
        for rule in &profile.rules {
            let via: Vec<String> = rule.origin.via.iter().map(|l| l.file.path(&db).display().to_string()).collect();
            let from = rule.origin.location.file.path(&db).display().to_string();
            let kind = match &rule.kind {
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
