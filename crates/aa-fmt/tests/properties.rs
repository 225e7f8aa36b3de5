//! Property tests: generated valid profiles in random layouts (guarantees 1–3
//! on each), and arbitrary text (never a panic).

mod common;

use aa_fmt::{FormatError, FormatOptions, TextRange, TextSize, format, format_range};
use proptest::prelude::*;

/// A small deterministic generator, seeded by proptest.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Writes a valid policy file in a random, messy layout.
struct Writer {
    rng: Rng,
    out: String,
}

impl Writer {
    fn blank(&mut self) -> String {
        let n = 1 + self.rng.below(3) as usize;
        (0..n).map(|_| if self.rng.chance(20) { '\t' } else { ' ' }).collect()
    }
    fn indent(&mut self) {
        let n = self.rng.below(7) as usize;
        self.out.push_str(&" ".repeat(n));
    }
    fn line_end(&mut self) {
        if self.rng.chance(15) {
            let b = self.blank();
            self.out.push_str(&b);
        }
        if self.rng.chance(15) {
            self.out.push_str(&format!(" # note {}", self.rng.below(100)));
        }
        self.out.push('\n');
        for _ in 0..self.rng.below(4).saturating_sub(2) {
            self.out.push('\n');
        }
    }
    fn words(&mut self, words: &[&str]) {
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                let b = self.blank();
                self.out.push_str(&b);
            }
            self.out.push_str(w);
        }
    }
    fn rule_end(&mut self) {
        if self.rng.chance(20) {
            let b = self.blank();
            self.out.push_str(&b);
        }
        self.out.push(',');
    }
    fn rule(&mut self) {
        self.indent();
        match self.rng.below(7) {
            0 | 1 => {
                let mut words = Vec::new();
                if self.rng.chance(30) {
                    words.push(self.rng.pick(&["owner", "deny", "audit", "audit deny", "allow"]));
                }
                words.push(self.rng.pick(&[
                    "/etc/foo",
                    "/usr/lib/**",
                    "@{HOME}/.cache/{a,b}/*",
                    "\"/with space\"",
                    "/x/y\\ z",
                ]));
                words.push(self.rng.pick(&["r", "rw", "mr", "ix", "Px", "rwk", "lr"]));
                self.words(&words);
            }
            2 => {
                let cap = self.rng.pick(&["chown", "dac_override", "sys_admin", "net_raw"]);
                self.words(&["capability", cap]);
            }
            3 => {
                let w = self.rng.pick(&["inet", "inet6", "unix"]);
                let t = self.rng.pick(&["stream", "dgram"]);
                self.words(&["network", w, t]);
            }
            4 => {
                // A multi-line dbus rule.
                self.words(&["dbus", "send"]);
                for cond in ["bus=session", "path=/org/x", "member={A,B}", "peer=(name=org.x, label=unconfined)"] {
                    if self.rng.chance(50) {
                        self.out.push('\n');
                        self.indent();
                    } else {
                        let b = self.blank();
                        self.out.push_str(&b);
                    }
                    self.out.push_str(cond);
                }
            }
            5 => self.words(&["/a", "r", "->", "/b"][..2]),
            _ => self.words(&["signal", "(send,", "receive)", "peer=foo"]),
        }
        self.rule_end();
    }
    fn open(&mut self) {
        if self.rng.chance(20) {
            self.out.push('\n');
            self.indent();
        } else {
            let b = self.blank();
            self.out.push_str(&b);
        }
        self.out.push('{');
    }
    fn body(&mut self, depth: u32) {
        let n = self.rng.below(6);
        for _ in 0..n {
            match self.rng.below(10) {
                0 if depth < 3 => {
                    self.indent();
                    let name = self.rng.pick(&["^hat", "hat other", "profile child"]);
                    self.out.push_str(name);
                    self.open();
                    self.line_end();
                    self.body(depth + 1);
                    self.indent();
                    self.out.push('}');
                    self.line_end();
                }
                1 if depth < 3 => {
                    self.indent();
                    self.out.push_str(self.rng.pick(&["audit", "deny", "owner"]));
                    self.open();
                    self.line_end();
                    self.body(depth + 1);
                    self.indent();
                    self.out.push('}');
                    self.line_end();
                }
                2 => {
                    self.indent();
                    self.out.push_str("# a comment   ");
                    self.line_end();
                }
                3 => {
                    self.indent();
                    self.words(&["include", "<abstractions/base>"]);
                    self.line_end();
                }
                4 => {
                    // Two rules on one line.
                    self.rule();
                    self.out.push(' ');
                    self.rule();
                    self.line_end();
                }
                _ => {
                    self.rule();
                    self.line_end();
                }
            }
        }
    }
    fn file(&mut self) {
        for _ in 0..self.rng.below(3) {
            self.out.push('\n');
        }
        if self.rng.chance(50) {
            self.words(&["#include", "<tunables/global>"]);
            self.line_end();
        }
        if self.rng.chance(50) {
            self.indent();
            self.words(&["@{V}", "=", "/a", "/b"]);
            if self.rng.chance(50) {
                self.out.push_str(" \\\n");
                self.indent();
                self.out.push_str("/c");
            }
            self.out.push('\n');
        }
        for _ in 0..1 + self.rng.below(2) {
            self.indent();
            self.words(&["profile", "foo", "/usr/bin/foo"]);
            if self.rng.chance(30) {
                self.out.push_str(" flags=(complain,");
                let b = self.blank();
                self.out.push_str(&b);
                self.out.push_str("attach_disconnected)");
            }
            self.open();
            self.line_end();
            self.body(0);
            self.indent();
            self.out.push('}');
            if self.rng.chance(80) {
                self.line_end();
            }
        }
    }
}

fn generated(seed: u64) -> String {
    let mut w = Writer { rng: Rng(seed | 1), out: String::new() };
    w.file();
    w.out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn generated_profiles_keep_the_guarantees(seed in any::<u64>()) {
        let text = generated(seed);
        let parse = aa_syntax::parse(&text);
        prop_assume!(parse.errors().is_empty());
        let options = FormatOptions::default();
        let out = format(&text, &options);
        prop_assert!(out.is_ok(), "{:?} on\n{}", out, text);
        let out = out.unwrap_or_default();
        common::assert_guarantees(&text, &out, &options, &text);
        // Formatting the whole text as a range gives the same result.
        let edits = format_range(&text, TextRange::up_to(TextSize::of(text.as_str())), &options);
        prop_assert!(edits.is_ok());
        let mut ranged = text.clone();
        for edit in edits.unwrap_or_default().iter().rev() {
            ranged.replace_range(std::ops::Range::<usize>::from(edit.range), &edit.new_text);
        }
        prop_assert_eq!(ranged, out);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(\\PC|[ \t\r\n{},#\"\\\\]){0,200}", a in 0u32..300, b in 0u32..300) {
        let options = FormatOptions::default();
        match format(&text, &options) {
            Ok(out) => common::assert_guarantees(&text, &out, &options, &text),
            Err(FormatError::Syntax(errors)) => prop_assert!(!errors.is_empty()),
            Err(FormatError::Internal(message)) => prop_assert!(false, "internal: {}", message),
        }
        let range = TextRange::new(TextSize::from(a.min(b)), TextSize::from(a.max(b)));
        let _ = format_range(&text, range, &options);
    }

    #[test]
    fn policy_like_text_never_panics(
        text in "(profile|/a|r|,|\\{|\\}|#c|\\n| |\\t|@\\{V\\}|=|\\\\|include|<a>|dbus|\\(|\\)|audit|if|\\$b|else)*",
    ) {
        let options = FormatOptions::default();
        if let Ok(out) = format(&text, &options) {
            common::assert_guarantees(&text, &out, &options, &text);
        } else if let Err(FormatError::Internal(message)) = format(&text, &options) {
            prop_assert!(false, "internal: {} on {:?}", message, text);
        }
    }
}

#[test]
fn the_generator_makes_valid_profiles_most_of_the_time() {
    let valid = (1..=200u64).filter(|s| aa_syntax::parse(&generated(s * 7919)).errors().is_empty()).count();
    assert!(valid >= 150, "only {valid} of 200 generated files are valid");
}
