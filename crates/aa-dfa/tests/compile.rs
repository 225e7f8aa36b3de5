//! Compiles file rules with our own glob → regex → DFA pipeline and checks
//! that the result is equivalent to `apparmor_parser`'s file DFA for the
//! same rules.

mod common;

use aa_dfa::file_rules::{Exec, ExecMode};
use aa_dfa::{Dfa, FileRule, Policy, find_difference};

/// Parses our tiny test syntax, which is also valid profile syntax:
/// `[audit] [deny] [owner] PATH PERMS [-> TARGET]`.
/// A test rule; a `-> TARGET` takes the first named-transition slot.
fn rule(line: &str) -> FileRule {
    let (mut r, target) = common::file_rule(line);
    if target.is_some() {
        let x = r.exec.get_or_insert(Exec { mode: ExecMode::Profile, scrub: true, fallback: None, target_index: None });
        x.target_index = Some(0);
    }
    r
}

/// Compiles `lines` both ways and asserts equivalence.
fn check(lines: &[&str]) {
    let text = format!("profile t {{\n{}\n}}\n", lines.iter().map(|l| format!("  {l},\n")).collect::<String>());
    let Some(bin) = common::compile_text(&text, "default", &[]) else {
        return;
    };
    let policy = Policy::decode(&bin).unwrap_or_else(|e| panic!("decode: {e}"));
    let theirs = &policy.profiles[0].file.as_ref().expect("file DFA").tables;

    let rules: Vec<FileRule> = lines.iter().map(|l| rule(l)).collect();
    let rules = aa_dfa::file_rules_to_rules(&rules).unwrap_or_else(|e| panic!("glob: {e}"));
    let ours = Dfa::build(&rules).unwrap_or_else(|e| panic!("compile: {e}"));
    if let Some(d) = find_difference(&ours, theirs) {
        panic!("our DFA differs from apparmor_parser's for\n{text}\nfirst difference (left = ours): {d}\n{policy}");
    }
    // Both are minimal for the same accept function, so sizes agree too.
    assert_eq!(ours.state_count(), theirs.state_count(), "state counts for\n{text}");
}

#[test]
fn plain_paths_and_qualifiers() {
    check(&["/etc/passwd r"]);
    check(&[
        "/etc/passwd r",
        "/etc/** r",
        "deny /etc/shadow r",
        "audit deny /etc/gshadow w",
        "owner /home/*/notes w",
        "audit /var/log/a r",
        "audit owner /var/log/b rw",
    ]);
}

#[test]
fn globs() {
    check(&["/a/*/b r", "/a/**/c w", "/f/** r", "/f/* w", "/g/*/ r", "/e/a*b*c r"]);
    check(&["/b/{x,y{1,2}}/z k", "/c/[a-f]*.txt r", "/c/[^a-f]? m", r"/d/\{lit\} r"]);
    check(&["/h//i///j r", "/k/.hidden+(x)|y r", "/m/a?c r", "/n/*/*/ r"]);
    check(&["/p/** r", "/p/*.so mr", "/p/lib/** w", "deny /p/lib/*.so w"]);
}

#[test]
fn exec_modes() {
    check(&["/bin/a px", "/bin/b Px", "/bin/c ix", "/bin/d cx", "/bin/e ux", "/bin/f pix", "/bin/g PUx"]);
    // An exact rule's exec mode overrides a glob's.
    check(&["/bin/** ix", "/bin/special px", "/bin/other r"]);
    check(&["/usr/bin/* Ux", "deny /usr/bin/nox x", "owner /usr/bin/mine Px"]);
    check(&["/opt/app mrix", "/opt/tool Px -> other"]);
}

#[test]
fn links() {
    check(&["/l/a l", "/l/c rl", "deny /l/b l", "/l/** r"]);
}

/// Rules with equal permissions share one accept state in our NFA; a
/// conflict still names only those that match the example path.
#[test]
fn conflicts_name_only_the_matching_rules_of_a_shared_accept() {
    // Two globs (an exact path would override `/b/** ix` instead).
    let lines = ["/a/** ix", "/b/** ix", "/b/c* px"];
    let rules: Vec<FileRule> = lines.iter().map(|l| rule(l)).collect();
    let err = Dfa::build(&aa_dfa::file_rules_to_rules(&rules).unwrap()).unwrap_err();
    match err {
        aa_dfa::CompileError::ConflictingExec { example, mut origins } => {
            assert!(example.starts_with(b"/b/c"), "{:?}", String::from_utf8_lossy(&example));
            origins.sort_unstable();
            origins.dedup();
            assert_eq!(origins, [1, 2], "`/a/** ix` does not match the example");
        }
        other => panic!("unexpected {other}"),
    }
}

/// Overlapping globs with different exec modes: the parser refuses to
/// merge them, and so do we.
#[test]
fn conflicting_exec_modes() {
    let lines = ["/usr/bin/a* px", "/usr/bin/*b ix"];
    let rules: Vec<FileRule> = lines.iter().map(|l| rule(l)).collect();
    let err = Dfa::build(&aa_dfa::file_rules_to_rules(&rules).unwrap()).unwrap_err();
    match err {
        aa_dfa::CompileError::ConflictingExec { example, .. } => {
            assert!(example.starts_with(b"/usr/bin/a"), "{:?}", String::from_utf8_lossy(&example));
        }
        other => panic!("unexpected {other}"),
    }
    let Some(stderr) = common::dump_text(
        &format!("profile t {{\n{}\n}}\n", lines.map(|l| format!("  {l},\n")).concat()),
        "default",
        &[],
    ) else {
        return;
    };
    assert!(stderr.contains("conflicting x modifiers"), "parser said: {stderr}");
}

/// The attachment DFA is compiled from the profile's attachment glob with
/// exec permission.
#[test]
fn attachment_matches_xmatch_dfa() {
    for attach in ["/usr/bin/files-*", "/opt/{app,tool}/bin/**", "/usr/lib/[a-c]?x/*.so"] {
        let text = format!("profile t {attach} {{\n  /x r,\n}}\n");
        let Some(bin) = common::compile_text(&text, "default", &[]) else {
            return;
        };
        let policy = Policy::decode(&bin).unwrap_or_else(|e| panic!("decode: {e}"));
        let theirs = &policy.profiles[0].xmatch.as_ref().expect("xmatch DFA").tables;
        let path = aa_dfa::glob::filter_slashes(attach.as_bytes());
        let (regex, _) = aa_dfa::glob::glob_to_regex(&path, aa_dfa::glob::GlobMode::Default).unwrap();
        let rule = aa_dfa::Rule {
            regex,
            perms: aa_dfa::RulePerms {
                deny: false,
                perms: aa_dfa::perms::old::EXEC,
                audit: 0,
                ..aa_dfa::RulePerms::default()
            },
            origin: 0,
        };
        let ours = Dfa::build(&[rule]).unwrap();
        assert_eq!(find_difference(&ours, theirs), None, "{attach}");
    }
}

/// Differential test on generated rule sets (deterministic, so failures
/// reproduce): each set is compiled by both and must be equivalent.
#[test]
fn generated_rule_sets() {
    struct Lcg(u64);
    impl Lcg {
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            xs[(self.0 >> 33) as usize % xs.len()]
        }
    }
    let pieces = ["a", "b", "ab", "*", "**", "?", "{a,b}", "{a,*}", "[a-b]", "[^a]", "x*", "*a", "{,b}"];
    let perms =
        ["r", "w", "rw", "k", "m", "l", "mr", "deny r", "deny w", "owner w", "owner r", "audit r", "audit deny w"];
    let execs = ["ix", "Px", "cx", "pux", "Ux"];
    let mut rng = Lcg(0x5eed);
    for case in 0..24 {
        let x = rng.pick(&execs);
        let n = 2 + case % 5;
        let mut lines = Vec::new();
        for _ in 0..n {
            let depth = 1 + (rng.pick(&["0", "1", "2"]).parse::<usize>().unwrap_or(0));
            let mut path = String::new();
            for _ in 0..depth {
                path.push('/');
                path.push_str(rng.pick(&pieces));
            }
            if rng.pick(&["", "", "/"]) == "/" {
                path.push('/');
            }
            let p = rng.pick(&perms);
            let p = if rng.pick(&["", "", "", "x"]) == "x" && !p.contains("deny") {
                format!("{p}{x}")
            } else {
                p.to_owned()
            };
            let (quals, letters) =
                p.rsplit_once(' ').map_or((String::new(), p.clone()), |(q, l)| (format!("{q} "), l.to_owned()));
            lines.push(format!("{quals}{path} {letters}"));
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        eprintln!("case {case}: {refs:?}");
        check(&refs);
    }
}
