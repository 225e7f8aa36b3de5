//! Suggesting against the features of the kernel that logged the records:
//! a record of a class the features do not mediate is reported as not
//! mediated, never as allowed (a class without mediation compiles to no
//! policydb entries, so every access of it would read as allowed).
//!
//! One `test_multi` record per class, all given to one empty profile, and
//! real features files: upstream's parser test files (old kernels) and
//! the abi 4.0 features of `fixtures/rules-4.1`.

mod common;

use std::path::{Path, PathBuf};

/// One record per class: (test_multi case, class as the report names it).
const RECORDS: &[(&str, &str)] = &[
    ("testcase_syslog_read", "file"),
    ("testcase_dmesg_capability", "capability"),
    ("testcase_network_10", "network"),
    ("testcase_unix_01", "unix"),
    ("testcase_dbus_01", "dbus"),
    ("testcase_signal_01", "signal"),
    ("testcase_ptrace_01", "ptrace"),
    ("testcase_mount_01", "mount"),
    ("testcase_umount_01", "umount"),
    ("testcase_pivotroot_01", "pivot_root"),
    ("testcase_mqueue_01", "mqueue"),
    ("testcase_userns_01", "userns"),
    ("testcase_io_uring_01", "io_uring"),
];

/// Each features file and the classes (with the missing feature) it does
/// not mediate, read from the files by hand.
fn cases() -> Vec<(PathBuf, Vec<(&'static str, &'static str)>)> {
    let upstream = Path::new("/work/shared/upstream/tst/features_files");
    let abi4 = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules-4.1/features.abi4");
    let new_classes =
        [("mqueue", "ipc/posix_mqueue"), ("userns", "namespaces/mask/userns_create"), ("io_uring", "io_uring")];
    let mount = [("mount", "mount"), ("umount", "mount"), ("pivot_root", "mount")];
    let mut out = vec![(abi4, Vec::new())];
    let mut all = vec![];
    all.extend(new_classes);
    out.push((upstream.join("features.all"), all));
    let mut dbus = vec![("unix", "network/af_unix"), ("signal", "signal"), ("ptrace", "ptrace")];
    dbus.extend(mount);
    dbus.extend(new_classes);
    out.push((upstream.join("features.dbus"), dbus));
    let mut m = vec![("unix", "network/af_unix"), ("dbus", "dbus"), ("signal", "signal"), ("ptrace", "ptrace")];
    m.extend(new_classes);
    out.push((upstream.join("features.mount"), m));
    out
}

fn log() -> String {
    let dir = Path::new("/work/shared/upstream/logs/test_multi");
    RECORDS
        .iter()
        .map(|(name, _)| {
            let line = std::fs::read_to_string(dir.join(format!("{name}.in"))).unwrap();
            // Every record for profile `t`.
            let start = line.find(" profile=\"").unwrap() + 10;
            let end = start + line[start..].find('"').unwrap();
            format!("{}t{}", &line[..start], line[end..].trim_end())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn unmediated_classes_are_reported_not_allowed() {
    if !Path::new("/work/shared/upstream/tst/features_files").is_dir() {
        assert!(std::env::var_os("CI").is_none(), "the upstream features files are required under CI");
        eprintln!("SKIPPED: no upstream features files");
        return;
    }
    let log = log();
    for (path, unmediated) in cases() {
        let mut db = common::database(vec![("/etc/apparmor.d/t".into(), "profile t {\n}\n".into())]);
        let mut opts = common::options();
        opts.compile = aa_compile::options(common::features_file(&path));
        let report = common::run(&mut db, &["/etc/apparmor.d/t"], &log, &opts);
        let p = &report.profiles[0];
        let name = path.file_name().unwrap().to_string_lossy();
        // Nothing is allowed by an empty profile: each record is a
        // suggestion, a question, or not mediated.
        assert_eq!(p.allowed, Vec::<usize>::new(), "{name}: {p:#?}");
        let got: Vec<(&str, &str)> = p.unmediated.iter().map(|u| (u.class, u.feature)).collect();
        let mut want = unmediated.clone();
        want.sort_by_key(|(c, _)| RECORDS.iter().position(|(_, k)| k == c));
        let mut got_sorted = got.clone();
        got_sorted.sort_by_key(|(c, _)| RECORDS.iter().position(|(_, k)| k == c));
        assert_eq!(got_sorted, want, "{name}");
        for u in &p.unmediated {
            let line = RECORDS.iter().position(|(_, k)| *k == u.class).unwrap() + 1;
            assert_eq!(u.lines, [line], "{name}: {}", u.class);
        }
        // Every mediated class's record is suggested (or a question).
        let classes: Vec<&str> = p.suggestions.iter().map(|s| s.class).collect();
        for (_, class) in RECORDS {
            if !unmediated.iter().any(|(c, _)| c == class) {
                assert!(
                    classes.contains(class) || (*class == "file" && classes.contains(&"exec")),
                    "{name}: no {class} suggestion: {classes:?}"
                );
            }
        }
        let proof = p.proof.as_ref().expect("a proof");
        assert!(proof.compiled && proof.every_event_allowed && proof.nothing_beyond, "{name}: {proof:?}");
    }
}
