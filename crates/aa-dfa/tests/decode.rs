//! Decodes real `apparmor_parser` output and checks facts about it.

mod common;

use aa_dfa::perms::{bits, xbits};
use aa_dfa::{DEAD_STATE, DfaKind, Owner, Policy, Profile};

const CAP_CHOWN: u32 = 0;
const CAP_SETUID: u32 = 7;
const CAP_SYS_ADMIN: u32 = 21;
const CAP_MAC_ADMIN: u32 = 33;
const CAP_BPF: u32 = 39;

fn decode(bytes: &[u8]) -> Policy {
    match Policy::decode(bytes) {
        Ok(p) => p,
        Err(e) => panic!("decoding failed: {e}"),
    }
}

fn profile<'p>(policy: &'p Policy, name: &str) -> &'p Profile {
    policy.profile(name).unwrap_or_else(|| {
        let names: Vec<_> = policy.profiles.iter().map(|p| &p.name).collect();
        panic!("no profile {name:?}; have {names:?}")
    })
}

/// Kernel permissions of `path` in the profile's file DFA.
fn file_allow(p: &Profile, path: &str, who: Owner) -> u32 {
    let dfa = p.file.as_ref().expect("profile has a file DFA");
    dfa.perms_of(path.as_bytes(), who).expect("state exists").allow
}

#[test]
fn capability_bits() {
    let Some(bin) = common::compile_named("caps.aa", "default", &[]) else {
        return;
    };
    let policy = decode(&bin);
    let p = profile(&policy, "caps");
    for cap in [CAP_CHOWN, CAP_SYS_ADMIN, CAP_MAC_ADMIN, CAP_BPF] {
        assert!(p.has_cap(cap), "cap {cap} missing in {:#x}", p.caps.allow);
    }
    assert!(!p.has_cap(CAP_SETUID));
    assert_eq!(p.caps.audit, 1 << CAP_MAC_ADMIN);
    // Deny rules are quiet unless audited.
    assert_eq!(p.caps.quiet, 1 << CAP_SETUID);
    assert_eq!(p.caps.reserved, 0);
}

#[test]
fn header_and_flags() {
    let Some(bin) = common::compile_named("caps.aa", "default", &[]) else {
        return;
    };
    let policy = decode(&bin);
    let p = profile(&policy, "caps");
    assert_eq!(policy.profiles.len(), 1);
    assert_eq!(p.offset, 0);
    assert_eq!(p.version.kernel_abi(), 7, "features pin policy v7");
    assert_eq!(p.mode, aa_dfa::policy::Mode::Enforce);
    assert!(!p.is_hat());
    assert!(p.xmatch.is_none(), "a plain name needs no attachment DFA");
    assert!(p.file.is_none(), "no file rules, no file DFA");
    // The policydb still announces which classes the policy mediates:
    // "\x02" is the file class.
    let db = p.policydb.as_ref().expect("policydb");
    assert_eq!(db.kind, DfaKind::Policy);
    let st = db.tables.walk(b"\x02");
    assert_ne!(st, DEAD_STATE);
    assert!(db.perms(st, Owner::Owner).unwrap().allow & bits::READ != 0);
}

#[test]
fn file_permissions_by_walking() {
    let Some(bin) = common::compile_named("files.aa", "default", &[]) else {
        return;
    };
    let policy = decode(&bin);
    let p = profile(&policy, "files");
    let rd = bits::READ | bits::OPEN | bits::GETATTR;
    let wr = bits::WRITE | bits::APPEND | bits::CREATE | bits::DELETE | bits::SETATTR | bits::CHMOD | bits::CHOWN;

    assert_eq!(file_allow(p, "/etc/passwd", Owner::Other), rd);
    assert_eq!(file_allow(p, "/etc/passwd", Owner::Owner), rd);
    // Walking to a non-accepting state gives only the implicit getattr.
    assert_eq!(file_allow(p, "/etc", Owner::Other), bits::GETATTR);
    assert_eq!(file_allow(p, "/nonexistent", Owner::Other), bits::GETATTR);
    let dfa = p.file.as_ref().unwrap();
    assert_eq!(dfa.tables.walk(b"/nonexistent"), DEAD_STATE);

    // `**` crosses slashes, but needs at least one character.
    assert_eq!(file_allow(p, "/tmp/a/b/c", Owner::Other), rd | wr);
    assert_eq!(file_allow(p, "/tmp/", Owner::Other), bits::GETATTR);

    // Owner rules fill only the owner half.
    assert_eq!(file_allow(p, "/home/joe/notes", Owner::Owner), wr | bits::OPEN | bits::GETATTR);
    assert_eq!(file_allow(p, "/home/joe/notes", Owner::Other), bits::GETATTR);
    // `*` does not cross a slash.
    assert_eq!(file_allow(p, "/home/joe/x/notes", Owner::Owner), bits::GETATTR);

    // Deny wins over a glob allow.
    assert_eq!(file_allow(p, "/etc/shadow", Owner::Other), bits::GETATTR);
    assert_eq!(file_allow(p, "/etc/group", Owner::Other), rd);

    // Audit bits live in accept2.
    let st = dfa.tables.walk(b"/var/log/audited");
    let perms = dfa.perms(st, Owner::Other).unwrap();
    // The kernel widens audit bits like allow bits (read → open, getattr).
    assert_eq!(perms.audit, rd);
    assert_eq!(perms.allow, rd);
    // Denied and quiet by default.
    let st = dfa.tables.walk(b"/etc/shadow");
    assert!(dfa.perms(st, Owner::Other).unwrap().quiet & bits::READ != 0);

    // Trailing slash is significant; lock, mmap, alternation, classes.
    assert_eq!(file_allow(p, "/srv/data/", Owner::Other), rd);
    assert_eq!(file_allow(p, "/srv/data", Owner::Other), bits::GETATTR);
    assert_eq!(file_allow(p, "/srv/x/file", Owner::Other), bits::LOCK | bits::GETATTR);
    assert_eq!(file_allow(p, "/lib/libc.so", Owner::Other), rd | bits::EXEC_MMAP);
    for ok in ["/run/foo/a.sock", "/run/far/bc.sock", "/run/far/bd.sock"] {
        assert_eq!(file_allow(p, ok, Owner::Other), rd | wr, "{ok}");
    }
    for bad in ["/run/fxo/a.sock", "/run/foo/b.sock", "/run/foo/bcd.sock"] {
        assert_eq!(file_allow(p, bad, Owner::Other), bits::GETATTR, "{bad}");
    }
    assert_eq!(file_allow(p, "/opt/bZx", Owner::Other), bits::LINK | bits::GETATTR);
    assert_eq!(file_allow(p, "/opt/dZx", Owner::Other), bits::GETATTR);
    assert_eq!(file_allow(p, "/opt/b/x", Owner::Other), bits::GETATTR, "? does not match /");
}

#[test]
fn attachment_dfa() {
    let Some(bin) = common::compile_named("files.aa", "default", &[]) else {
        return;
    };
    let policy = decode(&bin);
    let p = profile(&policy, "files");
    let x = p.xmatch.as_ref().expect("globbed attachment has an xmatch DFA");
    assert_eq!(x.kind, DfaKind::Xmatch);
    // The literal prefix "/usr/bin/files-" is the xmatch length.
    assert_eq!(p.xmatch_len, "/usr/bin/files-".len() as u32);
    let accepts = |s: &str| x.tables.accept.data[x.tables.walk(s.as_bytes()) as usize] != 0;
    assert!(accepts("/usr/bin/files-x"));
    assert!(accepts("/usr/bin/files-"));
    assert!(!accepts("/usr/bin/files-x/y"));
    assert!(!accepts("/usr/bin/other"));
}

#[test]
fn exec_transitions_and_xtable() {
    let Some(bin) = common::compile_named("exec.aa", "default", &[]) else {
        return;
    };
    let policy = decode(&bin);
    let p = profile(&policy, "exec");
    assert!(policy.profile("exec//kid").is_some(), "child profiles are flattened");
    // Named transition targets, in the order the parser numbered them.
    let mut xt = p.xtable.clone();
    xt.sort();
    assert_eq!(xt, ["exec//kid", "other"]);
    let dfa = p.file.as_ref().unwrap();
    let x = |path: &str| dfa.perms_of(path.as_bytes(), Owner::Other).unwrap();

    assert_eq!(x("/bin/a").xindex, xbits::NAME | xbits::UNSAFE);
    assert_eq!(x("/bin/b").xindex, xbits::NAME);
    // ix: inherit, and implies mmap.
    assert_eq!(x("/bin/c").xindex, xbits::INHERIT);
    assert!(x("/bin/c").allow & bits::EXEC_MMAP != 0);
    assert_eq!(x("/bin/d").xindex, xbits::NAME | xbits::CHILD | xbits::UNSAFE);
    assert_eq!(x("/bin/e").xindex, xbits::UNCONFINED | xbits::UNSAFE);
    assert_eq!(x("/bin/h").xindex, xbits::NAME | xbits::INHERIT | xbits::UNSAFE);
    assert_eq!(x("/bin/i").xindex, xbits::NAME | xbits::UNCONFINED);
    for (path, target) in [("/bin/f", "other"), ("/bin/g", "exec//kid")] {
        let xi = x(path).xindex;
        assert_eq!(xi & xbits::TABLE, xbits::TABLE, "{path}");
        let idx = (xi & xbits::INDEX_MASK) as usize;
        assert_eq!(p.xtable.get(idx).map(String::as_str), Some(target), "{path}");
    }
    for path in ["/bin/a", "/bin/e", "/bin/g"] {
        assert!(x(path).allow & bits::EXEC != 0, "{path}");
    }
    let kid = profile(&policy, "exec//kid");
    assert!(!kid.is_hat());
    assert_eq!(file_allow(kid, "/kid/only", Owner::Other), bits::READ | bits::OPEN | bits::GETATTR);
    assert_eq!(file_allow(kid, "/bin/a", Owner::Other), bits::GETATTR);
}

#[test]
fn modes_rlimits_hats_and_several_profiles() {
    let Some(bin) = common::compile_named("misc.aa", "default", &[]) else {
        return;
    };
    let policy = decode(&bin);
    let names: Vec<_> = policy.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let misc = profile(&policy, "misc");
    assert_eq!(misc.mode, aa_dfa::policy::Mode::Complain);
    assert!(misc.path_flags.is_some_and(|f| f & 0x4 != 0), "attach_disconnected");
    let rl = misc.rlimits.as_ref().expect("rlimits");
    // RLIMIT_CPU = 0, RLIMIT_NOFILE = 7.
    assert_eq!(rl.mask, (1 << 0) | (1 << 7));
    assert_eq!(rl.limits[7], 1024);
    assert_eq!(rl.limits[0], 10);

    let hat = profile(&policy, "misc//hat");
    assert!(hat.is_hat());
    assert_eq!(file_allow(hat, "/hat/only", Owner::Other), bits::READ | bits::OPEN | bits::GETATTR);
    assert_eq!(file_allow(hat, "/misc", Owner::Other), bits::GETATTR);

    let second = profile(&policy, "second");
    assert!(second.offset > misc.offset);
    let x = second.xmatch.as_ref().expect("attachment with glob");
    assert_ne!(x.tables.accept.data[x.tables.walk(b"/home/u/bin/second") as usize], 0);
}

/// The same policy compiled with equivalence classes, with diff-encoding,
/// and plainly must give the same permissions for every path we try.
#[test]
fn encodings_agree() {
    let paths = [
        "/etc/passwd",
        "/etc/shadow",
        "/etc/group",
        "/tmp/x",
        "/tmp/",
        "/home/a/notes",
        "/srv/data/",
        "/srv/q/file",
        "/lib/x.so",
        "/run/far/bd.sock",
        "/opt/aqx",
        "/var/log/audited",
        "/",
        "",
    ];
    let Some(plain) = common::compile_named("files.aa", "default", &[]) else {
        return;
    };
    let Some(eq) = common::compile_named("files.aa", "default", &["-O", "equiv"]) else {
        return;
    };
    let Some(diff) = common::compile_named("files.aa", "diff-encode", &[]) else {
        return;
    };
    let plain = decode(&plain);
    let eq = decode(&eq);
    let diff = decode(&diff);
    let p = profile(&plain, "files");
    let e = profile(&eq, "files");
    let d = profile(&diff, "files");
    assert!(e.file.as_ref().unwrap().tables.equiv.is_some(), "-O equiv writes an EC table");
    assert!(p.file.as_ref().unwrap().tables.equiv.is_none());
    let dt = &d.file.as_ref().unwrap().tables;
    assert!(dt.flags & aa_dfa::tables::SET_FLAG_DIFF_ENCODE != 0, "diff-encode feature honoured");
    assert!((0..dt.state_count()).any(|s| dt.is_diff_encoded(s)));
    for path in paths {
        for who in [Owner::Owner, Owner::Other] {
            let a = p.file.as_ref().unwrap().perms_of(path.as_bytes(), who);
            assert_eq!(a, e.file.as_ref().unwrap().perms_of(path.as_bytes(), who), "equiv {path}");
            assert_eq!(a, d.file.as_ref().unwrap().perms_of(path.as_bytes(), who), "diff {path}");
        }
    }
}

/// An older features set (no network_v8) takes the `net_allowed_af` path.
#[test]
fn pre_v8_network_table() {
    let text = "profile net {\n  network inet stream,\n}\n";
    let Some(bin) = common::compile_text(text, "all-no-policy-v8", &[]) else {
        return;
    };
    let policy = decode(&bin);
    let p = profile(&policy, "net");
    assert!(!p.net_allowed_af.is_empty());
    // AF_INET = 2, SOCK_STREAM = 1 → bit 1 of the type mask.
    assert_eq!(p.net_allowed_af[2].allow, 1 << 1);
    assert_eq!(p.net_allowed_af[1].allow, 0);
}

/// Truncating or corrupting real output must give an error, never a panic.
#[test]
fn malformed_real_output_is_an_error() {
    let Some(bin) = common::compile_named("exec.aa", "diff-encode", &[]) else {
        return;
    };
    let whole = decode(&bin);
    // Chunks are self-contained, so a prefix ending at a chunk boundary is
    // a valid (smaller) policy; every other prefix is an error.
    let boundaries: Vec<usize> = whole.profiles.iter().map(|p| p.offset).collect();
    assert!(boundaries.len() > 1);
    for end in 0..bin.len() {
        match Policy::decode(&bin[..end]) {
            Ok(p) => {
                assert!(boundaries.contains(&end), "prefix of {end} bytes decoded");
                assert_eq!(p.profiles.len(), boundaries.iter().filter(|&&b| b < end).count());
            }
            Err(e) => {
                assert!(!boundaries.contains(&end), "prefix {end}: {e}");
                assert!(e.offset <= end, "offset {} beyond input {end}: {e}", e.offset);
            }
        }
    }
    // Flip bytes all over the stream; decoding may succeed or fail.
    let mut buf = bin.clone();
    for i in (0..buf.len()).step_by(3) {
        for x in [0x01u8, 0x80, 0xff] {
            buf[i] ^= x;
            if let Ok(policy) = Policy::decode(&buf) {
                // Whatever decoded must be walkable.
                for p in &policy.profiles {
                    if let Some(d) = &p.file {
                        let _ = d.perms_of(b"/bin/a", Owner::Other);
                    }
                }
            }
            buf[i] ^= x;
        }
    }
}

#[test]
fn display_mentions_the_key_facts() {
    let Some(bin) = common::compile_named("exec.aa", "default", &[]) else {
        return;
    };
    let text = decode(&bin).to_string();
    for needle in ["profile \"exec\"", "profile \"exec//kid\"", "xtable[", "\"other\"", "Px", "pix", "ux"] {
        assert!(text.contains(needle), "dump lacks {needle:?}:\n{text}");
    }
}
