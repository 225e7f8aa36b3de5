//! A collection's conventions that change what a lint advises, read from
//! the files themselves so they hold for any collection that follows them.
//!
//! - An abstraction whose header (the comment lines before its first rule)
//!   says it is not to be included by hand (apparmor.d's `base-strict`:
//!   "Do not use it manually, it automatically replaces the base
//!   abstraction ... when the base-strict prebuild feature is enabled"), or
//!   that tools must not suggest it (`LOGPROF-SUGGEST: no`, which
//!   `aa-logprof` honours), is never advised.

/// The leading comment lines of a policy file, lower-cased, joined by
/// spaces (so a phrase broken across lines still reads as one).
fn header(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix('#') else { break };
        // `#include` is a statement, not a comment.
        if comment.starts_with("include") {
            break;
        }
        out.push(' ');
        out.push_str(&comment.trim_start_matches(['#', '!', ' ']).to_ascii_lowercase());
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Phrases by which an abstraction's header says it is not to be included
/// by hand.
const NOT_BY_HAND: &[&str] = &[
    "do not use it manually",
    "do not include it manually",
    "do not include this file manually",
    "must not be included manually",
    "automatically replaces the",
];

/// Why an abstraction (its text) must not be advised, if its header says
/// so: the marker, for messages and docs.
pub fn not_to_be_advised(text: &str) -> Option<&'static str> {
    let header = header(text);
    if let Some(phrase) = NOT_BY_HAND.iter().find(|p| header.contains(*p)) {
        return Some(phrase);
    }
    header.contains("logprof-suggest: no").then_some("LOGPROF-SUGGEST: no")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_markers() {
        let base_strict = "# apparmor.d - Full set of apparmor profiles\n# LOGPROF-SUGGEST: no\n\n# !!! warning\n#\n#     Do not use it manually, It automatically replaces the base abstraction in\n#     profiles when the base-strict prebuild feature is enabled (default).\n\n  abi <abi/5.0>,\n";
        assert_eq!(not_to_be_advised(base_strict), Some("do not use it manually"));
        assert_eq!(
            not_to_be_advised("# vim:syntax=apparmor\n# LOGPROF-SUGGEST: no\n  /x r,\n"),
            Some("LOGPROF-SUGGEST: no")
        );
        assert_eq!(not_to_be_advised("# Fonts.\n  /usr/share/fonts/** r,\n# do not use it manually\n"), None);
        assert_eq!(not_to_be_advised("#include <abstractions/x>\n# do not use it manually\n"), None);
        assert_eq!(not_to_be_advised(""), None);
    }
}
