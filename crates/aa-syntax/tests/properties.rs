//! Properties that must hold for every input: the tree is lossless, the
//! token lengths cover the text, error ranges lie inside it, and nothing
//! panics or loops, however hostile the text.

use proptest::prelude::*;

fn check(text: &str) {
    let parse = aa_syntax::parse(text);
    assert_eq!(parse.syntax_node().to_string(), text);
    let total: u32 = aa_syntax::tokenize(text).iter().map(|t| t.len).sum();
    assert_eq!(total as usize, text.len());
    for error in parse.errors() {
        assert!(usize::from(error.range.end()) <= text.len(), "{error:?} outside the text");
        assert!(text.is_char_boundary(error.range.start().into()));
    }
}

/// Fragments of real syntax, so random sequences reach deep into the grammar.
const PIECES: &[&str] = &[
    "profile",
    "hat",
    "^",
    "{",
    "}",
    "(",
    ")",
    ",",
    "=",
    "+=",
    "->",
    "<",
    ">",
    "<=",
    "\"",
    " ",
    "\n",
    "\t",
    "#",
    "#include",
    "include",
    "if",
    "exists",
    "else",
    "not",
    "defined",
    "and",
    "@{HOME}",
    "${b}",
    "$b",
    "/usr/bin/foo",
    "/**",
    "{a,b}",
    "rw",
    "ix",
    "Px",
    "audit",
    "deny",
    "owner",
    "priority=",
    "-1",
    "file",
    "link",
    "subset",
    "capability",
    "network",
    "inet",
    "dbus",
    "send",
    "bus=",
    "peer=(",
    "label=",
    "mount",
    "options=(",
    "signal",
    "set=(",
    "ptrace",
    "unix",
    "mqueue",
    "userns",
    "io_uring",
    "all",
    "set",
    "rlimit",
    "change_profile",
    "flags=(",
    "complain",
    "xattrs=(",
    "abi",
    "alias",
    "\\",
    "\\ ",
    "ü",
    "日本",
    "\r\n",
    "!",
    "!=",
];

fn pieces() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_round_trip(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn grammar_fragments_round_trip(text in pieces()) {
        check(&text);
    }
}

#[test]
fn deep_nesting_is_bounded() {
    // Deeper than the parser recurses: the excess becomes one error node.
    // Run on a small stack to prove the recursion really is bounded.
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            for open in ["{", "profile p {", "if $x {", "audit {"] {
                let text = open.repeat(20_000) + &"}".repeat(20_000);
                let parse = aa_syntax::parse(&text);
                assert_eq!(parse.syntax_node().to_string(), text);
                assert!(parse.errors().iter().any(|e| e.message.contains("nested")));
            }
            let text = "if ".to_string() + &"not ".repeat(50_000) + "$x {}";
            assert_eq!(aa_syntax::parse(&text).syntax_node().to_string(), text);
            let text = "if ".to_string() + &"(".repeat(50_000) + "$x {}";
            assert_eq!(aa_syntax::parse(&text).syntax_node().to_string(), text);
        })
        .unwrap();
    handle.join().expect("parser overflowed a 1 MiB stack");
}

#[test]
fn pathological_inputs_finish() {
    for text in [
        ",".repeat(100_000),
        "}".repeat(100_000),
        "\"".repeat(100_001),
        "profile ".repeat(10_000),
        "deny ".repeat(10_000),
        "@{x} = ".to_string() + &"a ".repeat(50_000),
        "network ".to_string() + &"(".repeat(10_000),
        "/a/{b,".repeat(10_000),
    ] {
        check(&text);
    }
}
