//! The transitions a policy names: for every exec rule, the label its
//! profile would take for a sample program the rule covers, and for every
//! `change_profile` rule with a literal target, that target. Read from the
//! model's rules (nothing is compiled), through the same
//! [`transition`](super::exec::transition) that `exec` uses, so an edge
//! says what `aa-lint exec PROFILE SAMPLE` says when no other rule of the
//! profile overrides the one drawn.

use aa_hir::model::{RuleKind, RuleMode};
use aa_label::{Label, Target};

use super::StackPolicy;
use super::exec::{Program, Transition, TransitionKind, transition};

/// What an edge stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeKind {
    /// An exec rule; `mode` as written (`Px`, `pix`, `cx`, ...).
    Exec {
        mode: String,
        sample: String,
    },
    ChangeProfile,
}

/// One transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The profile the rule is in.
    pub from: usize,
    /// The rule (an index into the profile's model rules).
    pub rule: usize,
    pub kind: EdgeKind,
    /// The rule's `-> TARGET`, as written.
    pub target: Option<String>,
    /// The label the layer becomes, or why the transition fails.
    pub result: Result<Label, String>,
}

impl Edge {
    /// A short text for the edge: `px`, `pix -> &global`, `change_profile`.
    pub fn text(&self) -> String {
        let base = match &self.kind {
            EdgeKind::Exec { mode, .. } => mode.clone(),
            EdgeKind::ChangeProfile => "change_profile".to_owned(),
        };
        match &self.target {
            Some(t) => format!("{base} -> {t}"),
            None => base,
        }
    }
}

/// Every transition of every profile (self loops, `ix` without a stack,
/// included: callers filter).
pub fn transitions(policy: &StackPolicy<'_>) -> Vec<Edge> {
    let mut edges = Vec::new();
    for (i, p) in policy.profiles().iter().enumerate() {
        for (r, rule) in p.model().rules.iter().enumerate() {
            if rule.qualifiers.mode == RuleMode::Deny {
                continue;
            }
            match &*rule.kind {
                RuleKind::File { path: Some(path), perms, target, .. } => {
                    let Some((mode, t)) = exec_mode(perms) else { continue };
                    let sample = sample_path(path);
                    let mut t = t;
                    t.target = table_name(&p.name.name, t.kind, target.as_deref(), path);
                    if t.kind == TransitionKind::Child && t.target.is_some() {
                        t.kind = TransitionKind::Profile;
                    }
                    let program = Program { path: &sample, xattrs: &[] };
                    let (result, _, _) = transition(policy, &p.name, i, &t, &program);
                    edges.push(Edge {
                        from: i,
                        rule: r,
                        kind: EdgeKind::Exec { mode, sample },
                        target: target.clone(),
                        result,
                    });
                }
                RuleKind::ChangeProfile { target: Some(target), .. } if is_literal(target) => {
                    let result = Target::parse(target).map(|t| t.label).map_err(|e| e.to_string()).and_then(|l| {
                        match policy.undefined(&l).first() {
                            Some(missing) => Err(format!("target profile `{missing}` is not defined")),
                            None => Ok(l),
                        }
                    });
                    edges.push(Edge {
                        from: i,
                        rule: r,
                        kind: EdgeKind::ChangeProfile,
                        target: Some(target.clone()),
                        result,
                    });
                }
                _ => {}
            }
        }
    }
    edges
}

/// The named-transition table entry the compiler makes for a rule: a
/// child target gets its parent's name, `cx -> PATH` naming the rule's own
/// path is plain `cx`.
fn table_name(profile: &str, kind: TransitionKind, target: Option<&str>, path: &str) -> Option<String> {
    let t = target?;
    if kind == TransitionKind::Child {
        if t == path {
            return None;
        }
        if !t.starts_with(':') {
            let own = profile.rsplit("//").next().unwrap_or(profile);
            return Some(format!("{own}//{t}"));
        }
    }
    Some(t.to_owned())
}

/// The exec mode of a permission word, if it has one (`rPx` → `Px`).
pub fn exec_mode(perms: &str) -> Option<(String, Transition)> {
    let x = perms.find(['x'])?;
    let start = perms[..x].rfind(['p', 'P', 'c', 'C', 'u', 'U', 'i']).map_or(x, |s| {
        // The mode letters run up to the `x`: `pix`, `Cux`, `ix`.
        let mut s = s;
        while s > 0 && "pPcCuUi".contains(&perms[s - 1..s]) {
            s -= 1;
        }
        s
    });
    let mode = &perms[start..=x];
    let letters = &mode[..mode.len() - 1];
    let lower = letters.to_ascii_lowercase();
    let kind = match lower.chars().next() {
        Some('p') => TransitionKind::Profile,
        Some('c') => TransitionKind::Child,
        Some('u') => TransitionKind::Unconfined,
        Some('i') => TransitionKind::Inherit,
        _ => return None,
    };
    let fallback = lower.get(1..).unwrap_or("");
    let t = Transition {
        kind,
        inherit: fallback == "i" || kind == TransitionKind::Inherit,
        unconfined_fallback: fallback == "u",
        target: None,
    };
    Some((mode.to_owned(), t))
}

fn is_literal(text: &str) -> bool {
    !text.contains(['*', '?', '[', '{', '@'])
}

/// A path a glob matches: the first alternative of each `{...}`, the first
/// character of each `[...]`, `x` for `?`, `*` and `**`.
pub fn sample_path(glob: &str) -> String {
    let mut out = String::new();
    let b = glob.as_bytes();
    let mut i = 0;
    // Depth of alternations being skipped (after the first alternative).
    let mut skip: Vec<bool> = Vec::new();
    let skipping = |skip: &[bool]| skip.iter().any(|&s| s);
    while i < b.len() {
        let c = b[i] as char;
        match c {
            '\\' if i + 1 < b.len() => {
                if !skipping(&skip) {
                    out.push(b[i + 1] as char);
                }
                i += 1;
            }
            '{' => skip.push(false),
            ',' if !skip.is_empty() => {
                if let Some(last) = skip.last_mut() {
                    *last = true;
                }
            }
            '}' if !skip.is_empty() => {
                skip.pop();
            }
            '[' => {
                let end = glob[i..].find(']').map_or(b.len(), |e| i + e);
                let class = &glob[i + 1..end.min(b.len())];
                let first = class.trim_start_matches('^').chars().next().unwrap_or('x');
                if !skipping(&skip) {
                    out.push(if class.starts_with('^') { 'x' } else { first });
                }
                i = end;
            }
            '*' => {
                if !skipping(&skip) {
                    out.push('x');
                }
                while i + 1 < b.len() && b[i + 1] == b'*' {
                    i += 1;
                }
            }
            '?' => {
                if !skipping(&skip) {
                    out.push('x');
                }
            }
            _ => {
                if !skipping(&skip) {
                    out.push(c);
                }
            }
        }
        i += 1;
    }
    // `//` collapses as the kernel's path names do.
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples() {
        assert_eq!(sample_path("/{,usr/}bin/evince"), "/bin/evince");
        assert_eq!(sample_path("/usr/{lib,libexec}/**"), "/usr/lib/x");
        assert_eq!(sample_path("/a/[abc]?d*"), "/a/axdx");
        assert_eq!(sample_path("/a/{b,{c,d}}e"), "/a/be");
    }

    #[test]
    fn modes() {
        assert_eq!(exec_mode("rPx").unwrap().0, "Px");
        assert_eq!(exec_mode("mrpix").unwrap().0, "pix");
        assert_eq!(exec_mode("Cux").unwrap().0, "Cux");
        assert_eq!(exec_mode("rix").unwrap().0, "ix");
        assert!(exec_mode("rw").is_none());
        assert!(exec_mode("rmx").is_none());
    }
}
