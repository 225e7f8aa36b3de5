//! Which profile attaches to an executed program, as the kernel's
//! `find_attach` decides: a profile named by a plain path matches that path
//! exactly and wins at once; otherwise every profile whose attachment
//! pattern matches is a candidate, the one whose pattern matched the
//! longest literal prefix wins, then the one with more `xattrs=` matched;
//! two equal best candidates are a conflict, and nothing attaches. A
//! profile whose xattrs do not match the file is no candidate.

use std::cell::OnceCell;

use aa_dfa::glob::{GlobMode, PatternKind, filter_slashes, glob_to_regex};
use aa_dfa::perms::old;
use aa_dfa::regex::Regex;
use aa_dfa::{BuildOptions, DEAD_STATE, Dfa, Rule, RulePerms, START_STATE};
use aa_hir::db::Db;
use aa_hir::includes::parse;
use aa_hir::model::Profile;
use aa_label::ProfileName;
use aa_syntax::SyntaxKind;

use super::StackPolicy;

/// A profile's attachment.
pub struct Attachment {
    /// The pattern as written (variables expanded).
    pub pattern: String,
    /// A profile named by a plain path, with no attachment and no xattrs:
    /// the parser builds no attachment automaton for it, so the kernel
    /// matches it by string equality (and it wins at once). A plain
    /// attachment given after the name is ranked as any pattern.
    pub exact: bool,
    /// The pattern with repeated slashes merged, what an exact one is
    /// compared with.
    filtered: Vec<u8>,
    regex: Option<Regex>,
    /// The parser's `xmatch_len`: the literal prefix of the pattern.
    pub literal_len: usize,
    dfa: OnceCell<Option<Dfa>>,
}

impl Attachment {
    /// The attachment of a model profile: its explicit one, or its name
    /// when the name is a path. Hats attach to nothing.
    pub(super) fn of(p: &Profile, name: &ProfileName, has_xattrs: bool) -> Option<Attachment> {
        if p.kind == aa_hir::model::ProfileKind::Hat {
            return None;
        }
        let pattern = match &p.attachment {
            Some(a) => a.clone(),
            None if name.base_name().starts_with('/') => name.base_name().to_owned(),
            None => return None,
        };
        let filtered = filter_slashes(pattern.as_bytes());
        let (regex, kind) = match glob_to_regex(&filtered, GlobMode::Default) {
            Ok((re, text)) => (Some(re), text.kind),
            Err(_) => (None, PatternKind::Basic),
        };
        let exact = kind == PatternKind::Basic && !has_xattrs && p.attachment.is_none();
        let literal_len = regex.as_ref().map_or(pattern.len(), Regex::xmatch_len);
        Some(Attachment { pattern, exact, filtered, regex, literal_len, dfa: OnceCell::new() })
    }

    /// The path an exact attachment matches, `None` for a pattern.
    pub(super) fn exact_path(&self) -> Option<&[u8]> {
        self.exact.then_some(self.filtered.as_slice())
    }

    /// Whether the pattern matches `path`, and the length the kernel
    /// ranks the match by (the characters matched before the automaton
    /// first loops, at least the literal prefix).
    pub fn match_len(&self, path: &str) -> Option<usize> {
        if self.exact {
            return (path.as_bytes() == self.filtered.as_slice()).then_some(path.len());
        }
        let dfa = self
            .dfa
            .get_or_init(|| {
                let re = self.regex.clone()?;
                let rule = Rule {
                    regex: re,
                    perms: RulePerms { deny: false, perms: old::EXEC, audit: 0, ..RulePerms::default() },
                    origin: 0,
                };
                Dfa::build_with(&[rule], &BuildOptions::default()).ok()
            })
            .as_ref()?;
        let mut history = vec![START_STATE];
        let mut state = START_STATE;
        let mut count = None;
        for &b in path.as_bytes() {
            state = dfa.step(state, b);
            if state == DEAD_STATE {
                return None;
            }
            if count.is_none() {
                match history.iter().position(|&s| s == state) {
                    Some(j) => count = Some(j),
                    None => history.push(state),
                }
            }
        }
        (dfa.perms(state).allow & old::EXEC != 0)
            .then(|| count.unwrap_or(path.len()).max(self.literal_len).min(path.len()))
    }
}

/// `xattrs=(name=value ...)` of a profile, read from its header.
pub(super) fn xattrs_of(db: &dyn Db, p: &Profile) -> Vec<(String, String)> {
    let loc = p.origin.location;
    let root = parse(db, loc.file).syntax_node();
    let Some(node) = aa_syntax::node_spanning(&root, loc.range, |k| matches!(k, SyntaxKind::PROFILE | SyntaxKind::HAT))
    else {
        return Vec::new();
    };
    let Some(xattrs) = node.children().find(|n| n.kind() == SyntaxKind::XATTRS) else {
        return Vec::new();
    };
    xattrs
        .children()
        .filter(|n| n.kind() == SyntaxKind::CONDITION)
        .map(|c| {
            let text = c.text().to_string();
            // A name with no value (`xattrs=(user.foo)`) asks only that the
            // attribute be present: any value, as the compiler encodes it.
            let (name, value) = text.split_once('=').unwrap_or((&text, "**"));
            let value = value.trim().trim_start_matches('(').trim_end_matches(')').trim().trim_matches('"');
            (name.trim().to_owned(), value.to_owned())
        })
        .collect()
}

/// Whether a file with `file_xattrs` satisfies the profile's conditions;
/// `Some(n)`: all `n` match.
pub fn xattrs_match(wanted: &[(String, String)], file_xattrs: &[(String, String)]) -> Option<usize> {
    for (name, glob) in wanted {
        let value = file_xattrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())?;
        let ok = match glob_to_regex(glob.as_bytes(), GlobMode::Null) {
            Ok((re, _)) => aa_dfa::dfa::regex_matches(&re, value.as_bytes()),
            Err(_) => glob == value,
        };
        if !ok {
            return None;
        }
    }
    Some(wanted.len())
}

/// One profile considered for an exec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub profile: usize,
    /// The length the match ranks by.
    pub len: usize,
    /// The xattrs matched, or `None` when they do not match (no candidate).
    pub xattrs: Option<usize>,
}

/// The outcome of attachment matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachOutcome {
    /// The profile that attaches.
    pub chosen: Option<usize>,
    /// Every profile whose pattern matched the path, best first.
    pub candidates: Vec<Candidate>,
    /// Two best candidates tie: nothing attaches.
    pub conflict: bool,
}

/// The profile `i`, attached exactly to `path`: it wins at once.
pub(super) fn exact_outcome(i: usize, path: &str) -> AttachOutcome {
    AttachOutcome {
        chosen: Some(i),
        candidates: vec![Candidate { profile: i, len: path.len(), xattrs: Some(0) }],
        conflict: false,
    }
}

/// Finds the profile among `among` that attaches to `path`.
pub fn find_attach(
    policy: &StackPolicy<'_>,
    among: impl Iterator<Item = usize>,
    path: &str,
    file_xattrs: &[(String, String)],
) -> AttachOutcome {
    let mut candidates = Vec::new();
    for i in among {
        let p = policy.profile(i);
        let Some(a) = &p.attachment else { continue };
        let Some(len) = a.match_len(path) else { continue };
        if a.exact {
            return exact_outcome(i, path);
        }
        let xattrs = if p.xattrs.is_empty() { Some(0) } else { xattrs_match(&p.xattrs, file_xattrs) };
        candidates.push(Candidate { profile: i, len, xattrs });
    }
    candidates.sort_by_key(|c| (c.xattrs.is_none(), std::cmp::Reverse((c.len, c.xattrs))));
    let eligible: Vec<&Candidate> = candidates.iter().filter(|c| c.xattrs.is_some()).collect();
    let (chosen, conflict) = match eligible.as_slice() {
        [] => (None, false),
        [best, next, ..] if (best.len, best.xattrs) == (next.len, next.xattrs) => (None, true),
        [best, ..] => (Some(best.profile), false),
    };
    AttachOutcome { chosen, candidates, conflict }
}
