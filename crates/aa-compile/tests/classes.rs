//! One small profile per rule class and qualifier through the whole
//! pipeline, against `apparmor_parser`: capabilities, rlimits, network,
//! unix (downgraded), signal, ptrace, dbus, mount family, change_profile,
//! links, flags, hats and children.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use aa_compile::compare::compare_profile;
use aa_compile::compile_policy;
use aa_dfa::Policy;
use aa_hir::db::{Db, MemoryLoader, RootDatabase};

const CASES: &[&str] = &[
    "capability,",
    "capability chown dac_override, audit capability sys_admin, deny capability net_admin, audit deny capability mknod,",
    "set rlimit nofile <= 1024, set rlimit as <= 2GB, set rlimit stack <= 512K, set rlimit nproc <= 10,",
    "set rlimit cpu <= 60, set rlimit rttime <= 10ms, set rlimit nice <= -5, set rlimit core <= infinity,",
    "network, deny network raw,",
    "network inet stream, network inet6 dgram, audit network netlink raw, network packet packet, network inet tcp, network unix,",
    "unix (send, receive) type=stream peer=(label=foo), unix type=dgram,",
    "unix (bind, listen) addr=@foo*, unix (connect, send) peer=(addr=@bar label=baz), unix addr=none, unix (create) type=dgram,",
    "deny unix (send) peer=(label=x), audit unix (getopt, setattr) addr=auto, audit deny unix (accept) addr=@x, unix type=seqpacket,",
    "network raw, deny network unix dgram, audit network unix, network,",
    "signal, signal (send) set=(hup, term) peer=foo, signal receive set=(rtmin+3 kill), deny signal (receive) peer=bar,",
    "ptrace, ptrace (read, trace) peer=foo, ptrace (readby) peer=@{profile_name}, deny ptrace (tracedby),",
    "dbus, dbus send bus=session path=/org/x interface=org.x member=Y peer=(name=org.y label=z), dbus bind bus=system name=org.z, deny dbus eavesdrop,",
    "mount, mount fstype=tmpfs -> /run/, mount options=(ro, bind) /a/ -> /b/, mount options in (rw, nosuid) fstype=(ext4 xfs) /dev/sd* -> /mnt/**,",
    "umount /mnt/**, remount /x/, pivot_root oldroot=/old/ /new/ -> prof, pivot_root,",
    "change_profile, change_profile -> foo, change_profile /bin/x -> bar//*, deny change_profile -> baz,",
    "change_profile unsafe /bin/y -> baz, change_profile safe /bin/z -> q, audit change_profile unsafe /bin/w,",
    "link /a -> /b, owner link subset /c* -> /d/**, /e l -> /f, deny link /g -> /h, audit /i rwl,",
    "file, deny /etc/shadow w,",
    "owner /home/*/** rwk, audit owner /tmp/** rw, audit deny owner /tmp/x w, /bin/** mrix, /usr/bin/* Pix, /opt/* Cx -> kid, profile kid { /k r, }",
    "/x r, ^hat1 { /y w, } ^hat2 { /z r, /q Cx -> sub, }",
];

const HEADERS: &[&str] = &[
    "profile t",
    "profile t /usr/bin/t{,.real}",
    "/usr/lib/**/t flags=(complain)",
    "profile t flags=(attach_disconnected, mediate_deleted)",
    "profile t flags=(audit)",
    "profile t flags=(chroot_relative, chroot_attach)",
    "profile t flags=(kill, attach_disconnected)",
    "profile t flags=(unconfined)",
];

#[test]
fn every_class_matches_the_parser() {
    check("default");
}

/// With fine-grained unix mediation (`network/af_unix`).
#[test]
fn every_class_matches_the_parser_with_af_unix() {
    check("all-no-policy-v8");
}

fn check(features_name: &str) {
    let Some(parser) = common::parser() else { return };
    let feats = common::named_features(features_name);
    let features_file = common::named_features_path(features_name);
    let opts = aa_compile::options_for(aa_target::Target::of(aa_target::Version::V3_0), feats.clone());
    let dir = std::env::temp_dir().join(format!("aa-compile-classes-{features_name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, body) in CASES.iter().enumerate() {
        let header = HEADERS[i % HEADERS.len()];
        let text = format!("{header} {{\n  {}\n}}\n", body.replace(", ", ",\n  "));
        let file = dir.join(format!("c{i}.aa"));
        std::fs::write(&file, &text).expect("writing the case");
        let theirs = common::oracle_with(&parser, &file, None, &features_file);
        let db = RootDatabase::new(
            Arc::new(MemoryLoader::new([(file.clone(), text.clone())])),
            Vec::new(),
            PathBuf::from("/nonexistent"),
            dir.clone(),
        );
        let root = db.file(&file);
        let entries = compile_policy(&db, root, &opts);
        let bin = match theirs {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("the parser rejects case {i}:\n{text}{e}"));
                continue;
            }
        };
        let policy = Policy::decode(&bin).expect("decode");
        for e in &entries {
            n += 1;
            let problem = match (&e.result, policy.profiles.iter().find(|p| p.name == e.name)) {
                (Err(f), _) => Some(format!("not compiled: {f}")),
                (Ok(_), None) => Some("missing from the parser's output".to_owned()),
                (Ok((_, ours)), Some(t)) => {
                    compare_profile(ours, t).first().map(|m| format!("{}: {}", m.part.name(), m.message))
                }
            };
            if let Some(p) = problem {
                failures.push(format!("case {i} profile {}: {p}\n{text}", e.name));
            }
        }
        if entries.len() != policy.profiles.len() {
            failures.push(format!(
                "case {i}: {} profiles, the parser {}\n{text}",
                entries.len(),
                policy.profiles.len()
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("classes ({features_name}): {} cases, {n} profiles, {} failures", CASES.len(), failures.len());
    for f in &failures {
        eprintln!("FAILED {f}");
    }
    assert!(failures.is_empty());
}
