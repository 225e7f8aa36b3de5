//! File rules → [`Rule`]s, the way `apparmor_parser` feeds its file DFA.
//!
//! [`FileRule`] is this crate's plain input type: `aa-hir` lowers profile
//! syntax into it. [`file_rules_to_rules`] then applies the parser's
//! lowering: slash filtering, glob conversion, owner/other halves,
//! quiet-by-default deny, `ix` implying `m`, and the extra NUL-separated
//! pair rule that carries the link permission.

use crate::dfa::{Rule, RulePerms};
use crate::glob::{self, GlobError, GlobMode};
use crate::perms::old;
use crate::regex::{self, Regex};

/// How an `x` permission transitions, as written in a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecMode {
    /// `ix`
    Inherit,
    /// `px`/`Px`; with `fallback`, `pix`/`pux`.
    Profile,
    /// `cx`/`Cx`
    Child,
    /// `ux`/`Ux`
    Unconfined,
}

/// The exec part of a file rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exec {
    pub mode: ExecMode,
    /// Upper-case letter: scrub the environment.
    pub scrub: bool,
    /// `pix`/`cix` (fall back to inherit) or `pux`/`cux` (to unconfined).
    pub fallback: Option<ExecFallback>,
    /// `-> target`: index into the profile's named-transition table.
    pub target_index: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecFallback {
    Inherit,
    Unconfined,
}

/// One file rule, already resolved to a single path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRule {
    /// The path glob, as written (after variable expansion).
    pub path: Vec<u8>,
    pub owner: bool,
    pub deny: bool,
    pub audit: bool,
    /// `r w a l k m` as packed bits of one half ([`crate::perms::old`]);
    /// `w` must already include `a` as the parser does.
    pub perms: u32,
    pub exec: Option<Exec>,
    /// `-> NAME` of an exec rule, as written. [`crate::profile`] numbers
    /// these into the named-transition table and sets
    /// [`Exec::target_index`]; [`file_rules_to_rules`] itself only reads
    /// `target_index`.
    pub exec_target: Option<String>,
    /// `prompt` instead of allow (4.1 and later).
    pub prompt: bool,
    /// `priority=N` (4.1 and later; 0 when not written).
    pub priority: i32,
}

/// `[audit] [deny] [owner] link [subset] PATH -> TARGET,`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRule {
    pub path: Vec<u8>,
    pub target: Vec<u8>,
    pub subset: bool,
    pub owner: bool,
    pub deny: bool,
    pub audit: bool,
    pub prompt: bool,
    pub priority: i32,
}

impl FileRule {
    /// A rule from a permission string like `"rw"`, `"mr"`, `"Pix"`.
    /// Returns `None` for letters this helper does not know.
    pub fn parse(path: &str, letters: &str) -> Option<FileRule> {
        let mut r = FileRule {
            path: path.as_bytes().to_vec(),
            owner: false,
            deny: false,
            audit: false,
            perms: 0,
            exec: None,
            exec_target: None,
            prompt: false,
            priority: 0,
        };
        let mut rest = letters;
        for (x, mode, scrub, fallback) in [
            ("ix", ExecMode::Inherit, false, None),
            ("pix", ExecMode::Profile, false, Some(ExecFallback::Inherit)),
            ("Pix", ExecMode::Profile, true, Some(ExecFallback::Inherit)),
            ("cix", ExecMode::Child, false, Some(ExecFallback::Inherit)),
            ("Cix", ExecMode::Child, true, Some(ExecFallback::Inherit)),
            ("pux", ExecMode::Profile, false, Some(ExecFallback::Unconfined)),
            ("PUx", ExecMode::Profile, true, Some(ExecFallback::Unconfined)),
            ("cux", ExecMode::Child, false, Some(ExecFallback::Unconfined)),
            ("CUx", ExecMode::Child, true, Some(ExecFallback::Unconfined)),
            ("px", ExecMode::Profile, false, None),
            ("Px", ExecMode::Profile, true, None),
            ("cx", ExecMode::Child, false, None),
            ("Cx", ExecMode::Child, true, None),
            ("ux", ExecMode::Unconfined, false, None),
            ("Ux", ExecMode::Unconfined, true, None),
        ] {
            if let Some(pos) = rest.find(x) {
                let before = &rest[..pos];
                // Avoid matching the "ix" inside "pix".
                if x == "ix" && before.ends_with(['p', 'P', 'c', 'C']) {
                    continue;
                }
                r.exec = Some(Exec { mode, scrub, fallback, target_index: None });
                let owned = format!("{}{}", before, &rest[pos + x.len()..]);
                return finish(r, &owned);
            }
        }
        rest = letters;
        finish(r, rest)
    }

    /// The rule's permission bits for one half, exec type included.
    pub fn half_bits(&self) -> u32 {
        let mut h = self.perms & 0x7f;
        if let Some(x) = self.exec {
            h |= old::EXEC;
            let mod_val = match (x.target_index, x.mode) {
                (Some(i), _) => 4 + i,
                (None, ExecMode::Inherit) => 0,
                (None, ExecMode::Unconfined) => 1,
                (None, ExecMode::Profile) => 2,
                (None, ExecMode::Child) => 3,
            };
            h |= (mod_val & 0xf) << old::EXEC_MOD_SHIFT;
            if x.mode == ExecMode::Inherit || x.fallback == Some(ExecFallback::Inherit) {
                h |= old::EXEC_INHERIT;
            }
            if x.fallback == Some(ExecFallback::Unconfined) {
                h |= old::EXEC_PUX;
            }
            if !x.scrub && x.mode != ExecMode::Inherit {
                h |= old::EXEC_UNSAFE;
            }
            // `ix` implies mmap for the kernel.
            if h & old::EXEC_INHERIT != 0 {
                h |= old::EXEC_MMAP;
            }
        }
        h
    }
}

fn finish(mut r: FileRule, letters: &str) -> Option<FileRule> {
    for c in letters.chars() {
        r.perms |= match c {
            'r' => old::READ,
            'w' => old::WRITE | old::APPEND,
            'a' => old::APPEND,
            'l' => old::LINK,
            'k' => old::LOCK,
            'm' => old::EXEC_MMAP,
            // A bare `x` (only valid in deny rules).
            'x' => old::EXEC,
            _ => return None,
        };
    }
    Some(r)
}

/// Lowers file rules into DFA rules.
pub fn file_rules_to_rules(rules: &[FileRule]) -> Result<Vec<Rule>, GlobError> {
    // The link pair's default target: any absolute path.
    let any_path = regex::parse(b"/[^/].*").map_err(|e| GlobError { offset: e.offset, message: e.message })?;
    let mut out = Vec::new();
    for (origin, fr) in rules.iter().enumerate() {
        let origin = origin as u32;
        let path = glob::filter_slashes(&fr.path);
        let (re, _) = glob::glob_to_regex(&path, GlobMode::Default)?;
        let half = fr.half_bits();
        let perms = if fr.owner { half } else { half | (half << old::OTHER_SHIFT) };
        let link_bits = perms & (old::LINK | (old::LINK << old::OTHER_SHIFT));
        // The mmap bit `ix` implies is added after the audit word is made.
        let implied = if fr.perms & old::EXEC_MMAP == 0 && half & old::EXEC_INHERIT != 0 {
            old::EXEC_MMAP | (old::EXEC_MMAP << old::OTHER_SHIFT)
        } else {
            0
        };
        // Deny rules are quiet unless audited; allow rules audit if asked.
        let audit = match (fr.deny, fr.audit) {
            (false, true) | (true, false) => perms & !implied,
            _ => 0,
        };
        if fr.deny {
            // The link bit of a deny rule lives only on the pair entry.
            if perms & !link_bits != 0 {
                out.push(Rule {
                    regex: re.clone(),
                    perms: RulePerms {
                        deny: true,
                        perms: perms & !link_bits,
                        audit: audit & !link_bits,
                        priority: fr.priority,
                        prompt: false,
                    },
                    origin,
                });
            }
        } else {
            out.push(Rule {
                regex: re.clone(),
                perms: RulePerms { deny: false, perms, audit, priority: fr.priority, prompt: fr.prompt },
                origin,
            });
        }
        if link_bits != 0 {
            // Without an explicit target, a link needs the subset test,
            // which shares the lock bit. The parser sets it in the owner
            // half only, even for rules without `owner`.
            let subset = (link_bits << 1) & old::LOCK;
            out.push(Rule {
                regex: Regex::join_with_nul(re, any_path.clone()),
                perms: RulePerms {
                    deny: fr.deny,
                    perms: link_bits | subset,
                    audit: audit & link_bits,
                    priority: fr.priority,
                    prompt: fr.prompt,
                },
                origin,
            });
        }
    }
    Ok(out)
}

/// Lowers link rules (`link [subset] A -> B`) into DFA rules: the rule on
/// `A` carrying the link bit, and the NUL-separated pair `A\0B` with the
/// subset test if asked. `origin_base + i` is rule `i`'s origin.
pub fn link_rules_to_rules(rules: &[LinkRule], origin_base: u32) -> Result<Vec<Rule>, GlobError> {
    let mut out = Vec::new();
    for (i, lr) in rules.iter().enumerate() {
        let origin = origin_base.saturating_add(i as u32);
        let (re, _) = glob::glob_to_regex(&glob::filter_slashes(&lr.path), GlobMode::Default)?;
        let (target, _) = glob::glob_to_regex(&glob::filter_slashes(&lr.target), GlobMode::Default)?;
        let perms = if lr.owner { old::LINK } else { old::LINK | (old::LINK << old::OTHER_SHIFT) };
        let audit = if lr.deny != lr.audit { perms } else { 0 };
        if !lr.deny {
            out.push(Rule {
                regex: re.clone(),
                perms: RulePerms { deny: false, perms, audit, priority: lr.priority, prompt: lr.prompt },
                origin,
            });
        }
        let subset = if lr.subset { (perms << 1) & old::LOCK } else { 0 };
        out.push(Rule {
            regex: Regex::join_with_nul(re, target),
            perms: RulePerms { deny: lr.deny, perms: perms | subset, audit, priority: lr.priority, prompt: lr.prompt },
            origin,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        let r = FileRule::parse("/x", "rw").unwrap();
        assert_eq!(r.half_bits(), old::READ | old::WRITE | old::APPEND);
        let r = FileRule::parse("/x", "mrix").unwrap();
        assert_eq!(r.half_bits(), old::READ | old::EXEC_MMAP | old::EXEC | old::EXEC_INHERIT);
        let r = FileRule::parse("/x", "Px").unwrap();
        assert_eq!(r.half_bits(), old::EXEC | (2 << old::EXEC_MOD_SHIFT));
        let r = FileRule::parse("/x", "pix").unwrap();
        assert_eq!(
            r.half_bits(),
            old::EXEC | (2 << old::EXEC_MOD_SHIFT) | old::EXEC_INHERIT | old::EXEC_UNSAFE | old::EXEC_MMAP
        );
        assert!(FileRule::parse("/x", "rq").is_none());
    }
}
