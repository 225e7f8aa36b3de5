//! The state-explosion guard: rules like `/sys/devices/**/dK/**/aK r,`
//! multiply DFA states; twenty of them exhaust 12 GB in apparmor_parser.
//! Under a limit we must stop early with an error naming those rules.

use aa_dfa::profile::Origin;
use aa_dfa::{CompileError, CompileOptions, Features, FileRule, Limits, ProfileError, ProfileInput};

fn exploding(n: usize) -> ProfileInput {
    let mut files: Vec<FileRule> =
        (0..n).map(|k| FileRule::parse(&format!("/sys/devices/**/d{k}/**/a{k}"), "r").unwrap()).collect();
    // An innocent rule, which must not be blamed.
    files.push(FileRule::parse("/etc/hostname", "r").unwrap());
    ProfileInput { name: "t".into(), files, ..ProfileInput::default() }
}

#[test]
fn twenty_rules_stop_at_the_limit_and_name_the_rules() {
    let opts = CompileOptions {
        target: aa_dfa::Target::of(aa_dfa::Version::V3_0),
        features: Features::parse(""),
        limits: Limits { max_states: 20_000, max_bytes: 64 << 20 },
        keep_rules: true,
    };
    let err = aa_dfa::compile_profile(&exploding(20), &opts).unwrap_err();
    let ProfileError::Dfa { which, error: CompileError::LimitExceeded(l), origins } = &err else {
        panic!("expected a limit error, got {err}");
    };
    assert_eq!(*which, "file");
    assert!(l.states <= 20_000 && l.bytes <= (64 << 20) + 4096, "{l:?}");
    assert!(origins.len() >= 10, "{origins:?}");
    assert!(origins.iter().all(|o| matches!(o, Origin::File(i) if *i < 20)), "{origins:?}");
    let msg = err.to_string();
    assert!(msg.contains("stopped after") && msg.contains("File("), "{msg}");
}

#[test]
fn memory_limit_alone_also_stops() {
    let opts = CompileOptions {
        target: aa_dfa::Target::of(aa_dfa::Version::V3_0),
        features: Features::parse(""),
        limits: Limits { max_states: usize::MAX, max_bytes: 8 << 20 },
        keep_rules: true,
    };
    let err = aa_dfa::compile_profile(&exploding(20), &opts).unwrap_err();
    assert!(matches!(err, ProfileError::Dfa { error: CompileError::LimitExceeded(_), .. }), "{err}");
}

#[test]
fn few_rules_fit_under_the_default_limit() {
    let opts = CompileOptions {
        target: aa_dfa::Target::of(aa_dfa::Version::V3_0),
        features: Features::parse(""),
        limits: Limits::default(),
        keep_rules: true,
    };
    let p = aa_dfa::compile_profile(&exploding(3), &opts).unwrap();
    assert!(p.file.unwrap().dfa.state_count() > 10);
}

/// Queries and diffs (no oracle needed: they read our own DFAs).
mod queries {
    use aa_dfa::profile::Origin;
    use aa_dfa::query::{diff, query};
    use aa_dfa::{CompileOptions, Features, FileRule, Limits, ProfileInput};

    fn compile(rules: &[(&str, &str, bool)]) -> aa_dfa::profile::CompiledDfa {
        let files = rules
            .iter()
            .map(|(p, perms, deny)| {
                let mut r = FileRule::parse(p, perms).unwrap();
                r.deny = *deny;
                r
            })
            .collect();
        let input = ProfileInput { name: "t".into(), files, ..ProfileInput::default() };
        let opts = CompileOptions {
            target: aa_dfa::Target::of(aa_dfa::Version::V3_0),
            features: Features::parse(""),
            limits: Limits::default(),
            keep_rules: true,
        };
        aa_dfa::compile_profile(&input, &opts).unwrap().file.unwrap()
    }

    #[test]
    fn permissions_with_contributing_rules() {
        let d = compile(&[
            ("/etc/**", "r", false),
            ("/etc/shadow", "w", false),
            ("/etc/shadow", "r", true),
            ("/usr/**", "m", false),
        ]);
        let q = query(&d, b"/etc/shadow");
        assert_eq!(q.owner.allow & 0x6, 0x2, "{q:?}");
        assert_ne!(q.owner.deny & 0x4, 0, "{q:?}");
        let who: Vec<Origin> = q.contributors.iter().map(|c| c.0).collect();
        assert_eq!(who, [Origin::File(0), Origin::File(1), Origin::File(2)]);
        let q = query(&d, b"/etc/passwd");
        assert_eq!(q.other.allow, 0x4);
        assert_eq!(q.contributors.len(), 1);
    }

    #[test]
    fn diff_gives_an_example_per_change() {
        let a = compile(&[("/etc/**", "r", false), ("/tmp/*", "rw", false)]);
        let b = compile(&[("/etc/**", "r", false), ("/etc/x", "r", true), ("/tmp/*", "r", false)]);
        let changes = diff(&a.dfa, &b.dfa, 10);
        let examples: Vec<&[u8]> = changes.iter().map(|c| c.example.as_slice()).collect();
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(examples.contains(&&b"/etc/x"[..]), "{examples:?}");
        assert!(examples.iter().any(|e| e.starts_with(b"/tmp/")), "{examples:?}");
        assert!(diff(&a.dfa, &a.dfa, 10).is_empty());
    }
}
