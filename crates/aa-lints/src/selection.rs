//! Which lints run, and at what level.

use std::{collections::HashMap, fmt};

use crate::{
    diagnostic::Severity,
    registry::{Group, Level, Lint, lints},
};

/// The lints a run enables and their levels. Start from `defaults()` (every
/// lint at its default level), `all()` or `none()`, then apply selectors in
/// order. A selector is `all`, a group name (`security`), a code (`AA101`),
/// a code prefix (`AA1`) or a lint name (`overbroad-glob`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintSelection {
    levels: HashMap<&'static str, Level>,
    /// Levels given explicitly (they override a lint's own severity).
    explicit: HashMap<&'static str, Level>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSelector(pub String);

impl fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a lint code, lint name or group", self.0)
    }
}

impl std::error::Error for UnknownSelector {}

impl Default for LintSelection {
    fn default() -> LintSelection {
        LintSelection::defaults()
    }
}

/// The lints a selector names.
pub fn matching(selector: &str) -> Result<Vec<&'static Lint>, UnknownSelector> {
    let s = selector.trim();
    let found: Vec<&'static Lint> = if s.eq_ignore_ascii_case("all") {
        lints().collect()
    } else if let Some(group) = Group::from_name(s) {
        lints().filter(|l| l.group == group).collect()
    } else {
        let upper = s.to_ascii_uppercase();
        lints().filter(|l| l.name == s || (upper.starts_with("AA") && l.code.starts_with(&upper))).collect()
    };
    if found.is_empty() { Err(UnknownSelector(selector.to_string())) } else { Ok(found) }
}

impl LintSelection {
    /// Every lint at its default level.
    pub fn defaults() -> LintSelection {
        LintSelection { levels: lints().map(|l| (l.code, l.default_level)).collect(), explicit: HashMap::new() }
    }

    /// Every lint on (style and nursery lints at `warn`).
    pub fn all() -> LintSelection {
        let mut s = LintSelection::none();
        for l in lints() {
            s.levels.insert(l.code, enabled_level(l));
        }
        s
    }

    /// Nothing on.
    pub fn none() -> LintSelection {
        LintSelection { levels: lints().map(|l| (l.code, Level::Allow)).collect(), explicit: HashMap::new() }
    }

    /// Turns the selected lints on at their default level (`warn` for lints
    /// that are off by default); leaves lints already on as they are.
    pub fn select(mut self, selector: &str) -> Result<LintSelection, UnknownSelector> {
        for l in matching(selector)? {
            if self.levels.get(l.code) == Some(&Level::Allow) {
                self.levels.insert(l.code, enabled_level(l));
            }
        }
        Ok(self)
    }

    /// Turns the selected lints off.
    pub fn ignore(self, selector: &str) -> Result<LintSelection, UnknownSelector> {
        self.set_level(selector, Level::Allow)
    }

    /// Sets the level of the selected lints (`Allow` turns them off); every
    /// finding of theirs then has that severity.
    pub fn set_level(mut self, selector: &str, level: Level) -> Result<LintSelection, UnknownSelector> {
        for l in matching(selector)? {
            self.levels.insert(l.code, level);
            self.explicit.insert(l.code, level);
        }
        Ok(self)
    }

    /// The level a lint runs at (`Allow`: it does not run).
    pub fn level(&self, lint: &Lint) -> Level {
        self.levels.get(lint.code).copied().unwrap_or(lint.default_level)
    }

    pub fn is_enabled(&self, lint: &Lint) -> bool {
        self.level(lint) != Level::Allow
    }

    /// The severity of a finding: an explicit level wins over the severity
    /// the lint chose.
    pub fn severity(&self, lint: &Lint, chosen: Severity) -> Severity {
        self.explicit.get(lint.code).and_then(|l| l.severity()).unwrap_or(chosen)
    }
}

fn enabled_level(lint: &Lint) -> Level {
    if lint.default_level == Level::Allow { Level::Warn } else { lint.default_level }
}
