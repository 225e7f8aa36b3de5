//! The encoder: what it writes decodes (with our own decoder) into tables
//! that walk exactly like the DFA they came from, with and without
//! differential encoding; whole profiles survive a round trip; and, with
//! the installed `apparmor_parser`, the table set of a file DFA is
//! byte-identical to the parser's.

mod common;

use aa_dfa::encode::layout::{LaidState, Layout, lay_out, mentioned_bytes};
use aa_dfa::encode::pack::pack;
use aa_dfa::encode::stream;
use aa_dfa::profile::{Capabilities, ChangeProfileRule, ProfileFlags, ProfileMode, Rlimit};
use aa_dfa::{
    CompileOptions, Dfa, EncodeOptions, Features, Limits, Policy, ProfileInput, Rule, TableSet, compile_profile,
    encode_dfa, encode_policy, find_difference,
};

fn features(name: &str) -> Features {
    Features::parse(&std::fs::read_to_string(common::features(name)).expect("features file"))
}

fn rules(lines: &[&str]) -> Vec<Rule> {
    let rules: Vec<aa_dfa::FileRule> = lines.iter().map(|l| common::file_rule(l).0).collect();
    aa_dfa::file_rules_to_rules(&rules).expect("rules")
}

const RULE_SETS: &[&[&str]] = &[
    &["/etc/passwd r"],
    &["/a/* r", "/a/b w", "deny /a/c r"],
    &["/** r", "/home/*/.config/** rw", "owner /tmp/** rwk", "audit /var/log/*.log w"],
    &["/usr/{bin,sbin}/* ix", "/usr/bin/special Px", "/opt/**/lib*.so* mr"],
    &["/dev/tty[0-9]* rw", "/proc/[0-9]*/stat r", "/sys/devices/**/uevent r"],
];

/// Encodes `dfa` (built from `rules`) and decodes it again.
fn round_trip(dfa: &Dfa, rules: &[Rule], diff: bool) -> (Layout, TableSet) {
    let layout = lay_out(dfa, &mentioned_bytes(rules.iter().map(|r| &r.regex)), diff);
    let bytes = pack(&layout).to_bytes();
    let tables = TableSet::decode(&bytes, 0).expect("our tables decode");
    (layout, tables)
}

#[test]
fn tables_walk_like_the_dfa() {
    for lines in RULE_SETS {
        let rules = rules(lines);
        let dfa = Dfa::build(&rules).expect("build");
        for diff in [false, true] {
            let (layout, tables) = round_trip(&dfa, &rules, diff);
            if let Some(d) = find_difference(&dfa, &tables) {
                panic!("{lines:?} (diff encoding {diff}): {d}");
            }
            assert_eq!(tables.state_count(), dfa.state_count(), "{lines:?}");
            // The layout's own walk agrees with the tables.
            for s in 0..layout.states.len() as u32 {
                for b in 0..=255u8 {
                    assert_eq!(layout.next(s, b), tables.step(s, b), "{lines:?} state {s} byte {b}");
                }
            }
        }
    }
}

#[test]
fn diff_encoding_saves_transitions() {
    let rules = rules(RULE_SETS[2]);
    let dfa = Dfa::build(&rules).expect("build");
    let (plain, _) = round_trip(&dfa, &rules, false);
    let (diff, tables) = round_trip(&dfa, &rules, true);
    let count = |l: &Layout| l.states.iter().map(|s| s.trans.len()).sum::<usize>();
    assert!(diff.diff_encoded() && tables.flags & aa_dfa::tables::SET_FLAG_DIFF_ENCODE != 0);
    assert!(count(&diff) < count(&plain), "{} vs {}", count(&diff), count(&plain));
}

/// After `/a/`, a `*` accepts every byte but `/` and NUL: the default is
/// the accepting loop and only those two bytes are explicit.
#[test]
fn defaults_are_the_unnamed_bytes_target() {
    let rules = rules(&["/a/* r"]);
    let dfa = Dfa::build(&rules).expect("build");
    let layout = lay_out(&dfa, &mentioned_bytes(rules.iter().map(|r| &r.regex)), false);
    let after = dfa.walk(b"/a/");
    let st = &layout.states[layout.map[after as usize] as usize];
    let explicit: Vec<u8> = st.trans.iter().map(|&(b, _)| b).collect();
    assert_eq!(explicit, vec![0, b'/']);
    assert_eq!(st.default, layout.map[dfa.walk(b"/a/x") as usize]);
    // Numbering: breadth first from the start, dead 0, start 1.
    assert_eq!(layout.map[0], 0);
    assert_eq!(layout.map[1], 1);
    assert_eq!(layout.map[dfa.walk(b"/") as usize], 2);
}

/// First fit: the start state's `a` lands on slot 97 (base 0); the next
/// state, needing `a` and `b`, finds slot 98 first (base 1), and because
/// its bytes up to 255 would overrun the 256 slots, the tables grow by one.
#[test]
fn packing_is_first_fit() {
    let st = |trans: Vec<(u8, u32)>| LaidState { trans, default: 0, diff: false, accept: 0, accept2: 0 };
    let layout = Layout {
        states: vec![st(vec![]), st(vec![(b'a', 2)]), st(vec![(b'a', 3), (b'b', 3)]), st(vec![])],
        map: vec![0, 1, 2, 3],
    };
    let p = pack(&layout);
    assert_eq!(p.base, vec![0, 0, 1, 0]);
    assert_eq!(p.next.len(), 257);
    assert_eq!((p.next[97], p.check[97]), (2, 1));
    assert_eq!((p.next[98], p.check[98]), (3, 2));
    assert_eq!((p.next[99], p.check[99]), (3, 2));
    assert_eq!(p.next.iter().filter(|&&n| n != 0).count(), 3);
}

fn rich_profile() -> ProfileInput {
    let files: Vec<aa_dfa::FileRule> = [
        "/etc/** r",
        "deny /etc/shadow r",
        "owner /home/*/** rw",
        "/usr/bin/tool Px -> tool",
        "/usr/bin/ns px -> :other:target",
    ]
    .iter()
    .map(|l| {
        let (mut r, t) = common::file_rule(l);
        r.exec_target = t;
        r
    })
    .collect();
    ProfileInput {
        name: "rich//hat".into(),
        attachment: Some("/usr/bin/rich*".into()),
        flags: ProfileFlags {
            hat: true,
            mode: ProfileMode::Complain,
            audit: true,
            attach_disconnected: true,
            ..ProfileFlags::default()
        },
        capabilities: Capabilities { allow: (1 << 21) | (1 << 40), audit: 1 << 40, deny: 1 << 3, quiet: 1 << 3 },
        rlimits: vec![Rlimit { resource: 7, value: 1024 }, Rlimit { resource: 0, value: u64::MAX }],
        files,
        change_profile: vec![ChangeProfileRule {
            quals: Default::default(),
            unsafe_exec: false,
            exec: None,
            target: Some("other".into()),
        }],
        ..ProfileInput::default()
    }
}

#[test]
fn profile_round_trip() {
    let feats = features("default");
    let opts = CompileOptions {
        target: aa_dfa::Target::of(aa_dfa::Version::V3_0),
        features: feats.clone(),
        limits: Limits::default(),
        keep_rules: true,
    };
    let ours = compile_profile(&rich_profile(), &opts).expect("compile");
    let enc = EncodeOptions { target: aa_dfa::Target::of(aa_dfa::Version::V3_0), features: feats };
    let bytes = encode_policy([&ours], &enc);
    let policy = Policy::decode(&bytes).expect("decode");
    let p = &policy.profiles[0];
    assert_eq!(p.name, "rich//hat");
    assert!(p.is_hat() && p.audit);
    assert_eq!(p.mode, aa_dfa::policy::Mode::Complain);
    assert_eq!(p.path_flags, Some(0x4));
    assert_eq!((p.caps.allow, p.caps.audit, p.caps.quiet), (ours.caps_allow, ours.caps_audit, ours.caps_quiet));
    let rl = p.rlimits.as_ref().expect("rlimits");
    assert_eq!(rl.mask, (1 << 7) | 1);
    assert_eq!((rl.limits[7], rl.limits[0], rl.limits.len()), (1024, u64::MAX, 16));
    // Numbered in reverse rule order, as the parser does; a namespaced
    // target has its second colon written as NUL.
    assert_eq!(p.xtable, vec![":other\0target".to_owned(), "tool".to_owned()]);
    assert_eq!(p.xmatch_len, ours.xmatch_len);
    for (what, o, t) in
        [("file", &ours.file, &p.file), ("xmatch", &ours.xmatch, &p.xmatch), ("policydb", &ours.policydb, &p.policydb)]
    {
        match (o, t) {
            (Some(o), Some(t)) => {
                assert!(find_difference(&o.dfa, &t.tables).is_none(), "{what}");
                // Each table set starts 8-aligned in the chunk.
                assert_eq!(t.tables.offset % 8, 0, "{what}");
            }
            (None, None) => {}
            _ => panic!("{what}: present on one side only"),
        }
    }
    assert_eq!(bytes, stream::encode_profile(&ours, &enc));
}

/// With the parser installed: a file DFA's table set, byte for byte.
#[test]
fn file_tables_byte_identical_to_the_parser() {
    for (lines, feat) in [(RULE_SETS[2], "default"), (RULE_SETS[3], "diff-encode")] {
        let text = format!("profile t {{\n{}}}\n", lines.iter().map(|l| format!("  {l},\n")).collect::<String>());
        let Some(bin) = common::compile_text(&text, feat, &[]) else {
            return;
        };
        let policy = Policy::decode(&bin).expect("decode");
        let theirs = policy.profiles[0].file.as_ref().expect("file DFA");
        let size = u32::from_be_bytes(bin[theirs.tables.offset + 8..][..4].try_into().unwrap());
        let raw = &bin[theirs.tables.offset..theirs.tables.offset + size as usize];
        let mut input = ProfileInput { name: "t".into(), ..ProfileInput::default() };
        input.files = lines.iter().map(|l| common::file_rule(l).0).collect();
        let opts = CompileOptions {
            target: aa_dfa::Target::of(aa_dfa::Version::V3_0),
            features: features(feat),
            limits: Limits::default(),
            keep_rules: true,
        };
        let ours = compile_profile(&input, &opts).expect("compile");
        let enc = EncodeOptions { target: aa_dfa::Target::of(aa_dfa::Version::V3_0), features: features(feat) };
        assert!(encode_dfa(ours.file.as_ref().expect("file DFA"), &enc) == raw, "{text} ({feat})");
    }
}

/// Dropping the rules after the build (`keep_rules: false`, what
/// `aa-lint compile` does) leaves the binary unchanged, even when a rule
/// names byte 255, which would otherwise pass for a byte no rule names.
#[test]
fn dropping_rules_keeps_the_binary() {
    let feats = features("default");
    let mut input = rich_profile();
    input.files.push(aa_dfa::FileRule::parse(r"/srv/a\xffb/**", "r").unwrap());
    let encode = |keep_rules| {
        let opts = CompileOptions {
            target: aa_dfa::Target::of(aa_dfa::Version::V3_0),
            features: feats.clone(),
            limits: Limits::default(),
            keep_rules,
        };
        let compiled = compile_profile(&input, &opts).expect("compile");
        assert_eq!(compiled.file.as_ref().unwrap().rules.is_empty(), !keep_rules);
        encode_policy(
            [&compiled],
            &EncodeOptions { target: aa_dfa::Target::of(aa_dfa::Version::V3_0), features: feats.clone() },
        )
    };
    assert!(encode(true) == encode(false));
}
