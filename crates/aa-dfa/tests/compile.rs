//! Compiles file rules with our own glob → regex → DFA pipeline and checks
//! that the result is equivalent to `apparmor_parser`'s file DFA for the
//! same rules.

mod common;

use aa_dfa::file_rules::{Exec, ExecMode};
use aa_dfa::{find_difference, Dfa, FileRule, Policy};

/// Parses our tiny test syntax, which is also valid profile syntax:
/// `[audit] [deny] [owner] PATH PERMS [-> TARGET]`.
fn rule(line: &str) -> FileRule {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let mut target = false;
    if let Some(i) = words.iter().position(|w| *w == "->") {
        target = true;
        words.truncate(i);
    }
    let mut flags = Vec::new();
    while matches!(words.first(), Some(&("audit" | "deny" | "owner"))) {
        flags.push(words.remove(0));
    }
    let [path, perms] = words[..] else { panic!("bad test rule {line:?}") };
    let mut r = FileRule::parse(path, perms).unwrap_or_else(|| panic!("bad perms in {line:?}"));
    r.audit = flags.contains(&"audit");
    r.deny = flags.contains(&"deny");
    r.owner = flags.contains(&"owner");
    if target {
        let x = r.exec.get_or_insert(Exec { mode: ExecMode::Profile, scrub: true, fallback: None, target_index: None });
        x.target_index = Some(0);
    }
    r
}

/// Compiles `lines` both ways and asserts equivalence.
fn check(lines: &[&str]) {
    let text = format!("profile t {{\n{}\n}}\n", lines.iter().map(|l| format!("  {l},\n")).collect::<String>());
    let Some(bin) = common::compile_text(&text, "default", &[]) else { return };
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

/// Overlapping globs with different exec modes: the parser refuses to
/// merge them, and so do we.
#[test]
fn conflicting_exec_modes() {
    let lines = ["/usr/bin/a* px", "/usr/bin/*b ix"];
    let rules: Vec<FileRule> = lines.iter().map(|l| rule(l)).collect();
    let err = Dfa::build(&aa_dfa::file_rules_to_rules(&rules).unwrap()).unwrap_err();
    match err {
        aa_dfa::CompileError::ConflictingExec { example } => {
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
