//! Paths written through the profile's own variables: a leading part of a
//! path becomes the set variable whose expansion covers it (`@{HOME}`,
//! `@{PROC}`, `@{run}`, `@{user_cache_dirs}`, ...), and a number that is a
//! whole path segment becomes the number class the tunables define for
//! that place (`@{pid}` under `@{PROC}`, `@{uid}` after `user/`, else
//! `@{int}`). Nothing is widened any other way: every other character is
//! written as it was logged, glob characters escaped.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use aa_dfa::dfa::{BuildOptions, Dfa, Rule, RulePerms};
use aa_dfa::glob::{GlobMode, glob_to_regex};
use aa_dfa::{DEAD_STATE, START_STATE};
use aa_hir::variables::Variables;

struct Var {
    name: String,
    values: usize,
    /// The literal start every value shares (a quick filter).
    literal: Vec<String>,
    glob: Vec<String>,
    dfa: OnceCell<Option<Dfa>>,
}

impl Var {
    fn dfa(&self) -> Option<&Dfa> {
        self.dfa
            .get_or_init(|| {
                let rules: Vec<Rule> = self
                    .glob
                    .iter()
                    .filter_map(|g| glob_to_regex(g.as_bytes(), GlobMode::Default).ok())
                    .map(|(regex, _)| Rule {
                        regex,
                        perms: RulePerms { deny: false, perms: 1, audit: 0, ..RulePerms::default() },
                        origin: 0,
                    })
                    .collect();
                if rules.is_empty() {
                    return None;
                }
                Dfa::build_with(&rules, &BuildOptions::default()).ok()
            })
            .as_ref()
    }

    /// The lengths of the prefixes of `path` a value matches whole.
    fn prefix_matches(&self, path: &[u8]) -> Vec<usize> {
        if !self.literal.iter().any(|l| path.starts_with(l.as_bytes())) {
            return Vec::new();
        }
        let Some(dfa) = self.dfa() else { return Vec::new() };
        let mut out = Vec::new();
        let mut s = START_STATE;
        for (i, &b) in path.iter().enumerate() {
            s = dfa.step(s, b);
            if s == DEAD_STATE {
                break;
            }
            if dfa.perms(s).allow & 1 != 0 {
                out.push(i + 1);
            }
        }
        out
    }

    fn matches(&self, text: &str) -> bool {
        let Some(dfa) = self.dfa() else { return false };
        let s = dfa.walk(text.as_bytes());
        s != DEAD_STATE && dfa.perms(s).allow & 1 != 0
    }
}

/// The variables of one policy file, ready to rewrite paths.
pub struct Generaliser {
    paths: Vec<Var>,
    numbers: Vec<Var>,
}

fn literal_start(glob: &str) -> String {
    let end = glob.find(['*', '?', '[', '{', '\\', '@']).unwrap_or(glob.len());
    glob[..end].to_owned()
}

impl Generaliser {
    pub fn none() -> Generaliser {
        Generaliser { paths: Vec::new(), numbers: Vec::new() }
    }

    pub fn new(vars: &Variables) -> Generaliser {
        let mut paths = Vec::new();
        let mut numbers = Vec::new();
        for name in vars.sets.keys() {
            let Ok(values) = vars.set_values(name) else { continue };
            // `@{HOMEDIRS}/*/` expands to `/home//*/`: the parser joins
            // the slashes, and so does the matching here.
            let values: BTreeSet<String> = values
                .into_iter()
                .filter(|v| !v.is_empty())
                .map(|v| {
                    let mut v = v;
                    while v.contains("//") {
                        v = v.replace("//", "/");
                    }
                    v
                })
                .collect();
            if values.is_empty() {
                continue;
            }
            let glob: Vec<String> = values.iter().cloned().collect();
            let var = |glob: Vec<String>| Var {
                name: name.clone(),
                values: glob.len(),
                literal: glob.iter().map(|g| literal_start(g)).collect(),
                glob,
                dfa: OnceCell::new(),
            };
            if values.iter().all(|v| v.starts_with('/') && v.len() > 1) {
                paths.push(var(glob));
            } else if values.iter().all(|v| v.chars().all(|c| "0123456789[]-{},".contains(c))) {
                numbers.push(var(glob));
            }
        }
        Generaliser { paths, numbers }
    }

    fn number(&self, name: &str) -> Option<&Var> {
        self.numbers.iter().find(|v| v.name == name)
    }

    /// The rule path for a logged path: variables where they cover it,
    /// the rest escaped.
    pub fn rule_path(&self, path: &str) -> String {
        let bytes = path.as_bytes();
        // The longest prefix ending at a segment boundary a variable covers;
        // among equals, the variable with fewer values, then by name.
        let mut best: Option<(usize, usize, &str)> = None;
        for v in &self.paths {
            for len in v.prefix_matches(bytes) {
                let boundary = len == bytes.len() || bytes[len - 1] == b'/' || bytes[len] == b'/';
                if !boundary || len < 2 {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((l, n, name)) => {
                        (len, std::cmp::Reverse(v.values), std::cmp::Reverse(v.name.as_str()))
                            > (l, std::cmp::Reverse(n), std::cmp::Reverse(name))
                    }
                };
                if better {
                    best = Some((len, v.values, &v.name));
                }
            }
        }
        let (mut out, rest, under) = match best {
            Some((len, _, name)) => {
                let rest = path[len..].trim_start_matches('/');
                let head =
                    if rest.is_empty() && len == path.len() { format!("@{{{name}}}") } else { format!("@{{{name}}}/") };
                (head, rest, Some(name))
            }
            None => (String::new(), path, None),
        };
        let under_proc = under == Some("PROC") || (under.is_none() && path.starts_with("/proc/"));
        let segments: Vec<&str> = rest.split('/').collect();
        let mut previous = under.map(|_| "").unwrap_or("");
        for (i, seg) in segments.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            let first_under_proc = under_proc && (if under.is_some() { i == 0 } else { i == 2 });
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                let wanted: &[&str] = if first_under_proc {
                    &["pid"]
                } else if previous == "task" {
                    &["tid", "pid"]
                } else if previous == "user" {
                    &["uid"]
                } else {
                    &["int"]
                };
                if let Some(v) = wanted.iter().filter_map(|n| self.number(n)).find(|v| v.matches(seg)) {
                    out.push_str(&format!("@{{{}}}", v.name));
                    previous = seg;
                    continue;
                }
            }
            out.push_str(&escape(seg));
            previous = seg;
        }
        out
    }
}

/// A logged name written as a literal glob.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') || (c == '@' && bytes.get(i + 1) == Some(&b'{')) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value as one token of a rule: quoted when it has spaces or
/// characters that end a token.
pub fn token(text: &str) -> String {
    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || matches!(c, ',' | '#' | '"' | '(' | ')' | '=')) {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        text.to_owned()
    }
}
