//! AppArmor labels as values.
//!
//! A task's confinement is a *label*: one profile, or a stack of profiles
//! written `A//&B//&C`, each of which must allow an access for the task to
//! get it. A profile is named by its hierarchical name (`parent//child`
//! for child profiles and hats) in a policy namespace (`:ns:name` or
//! `:ns://name`; none is the root namespace). Exec rules, `change_profile`
//! rules and the command line name targets, which may start with `&`
//! ("stack onto what the task already has") and may hold
//! `@{profile_name}` (the name of the profile the rule is in).
//!
//! Reduction follows the kernel (its `label.c`): a label is a *set* of
//! profiles. Merging two labels is their union, a profile that appears
//! twice counts once, and two labels with the same profiles are the same
//! label whatever order they are written in (the kernel prints them in its
//! own sort order: namespace depth, namespace name, profile name; see
//! [`Label::canonical`]). `unconfined` is a profile like any other in a
//! stack: `global//&unconfined` has two layers. This crate keeps layers in
//! the order they arise (what the AppArmor design note on system-wide
//! confinement writes, `firefox//evince//&evince//&global`) and compares by
//! set.
//!
//! A task sees its label from its own namespace, the deepest one among its
//! layers: layers outside that namespace and its children are hidden
//! ([`Label::view`]); that is how a namespace hides a global layer.
//!
//! The crate knows no syntax tree, database or policy: it is values and
//! their rules only.

use std::fmt;

/// The separator of stack layers.
pub const STACK: &str = "//&";

/// One profile: a namespace (`None` is the root) and a hierarchical name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileName {
    /// The namespace path (`ns` or `ns//sub`), `None` for the root.
    pub namespace: Option<String>,
    /// `name`, or `parent//child` for child profiles and hats.
    pub name: String,
}

impl ProfileName {
    /// A profile of the root namespace.
    pub fn new(name: impl Into<String>) -> ProfileName {
        ProfileName { namespace: None, name: name.into() }
    }

    /// Parses one layer: `name`, `parent//child`, `:ns:name`, `:ns://name`,
    /// `:ns` (the namespace's `unconfined`).
    pub fn parse(text: &str) -> Result<ProfileName, LabelError> {
        let text = text.trim();
        if text.contains(STACK) {
            return Err(error(format!("`{text}` is a stack, not one profile")));
        }
        parse_profile(text, text)
    }

    /// The `unconfined` profile of a namespace.
    pub fn unconfined(namespace: Option<String>) -> ProfileName {
        ProfileName { namespace, name: UNCONFINED.to_owned() }
    }

    pub fn is_unconfined(&self) -> bool {
        self.name == UNCONFINED
    }

    /// The names of the hierarchy, outermost first (`a//b` → `a`, `b`).
    pub fn path(&self) -> impl Iterator<Item = &str> {
        self.name.split("//")
    }

    /// The enclosing profile of a child profile or hat.
    pub fn parent(&self) -> Option<ProfileName> {
        let (parent, _) = self.name.rsplit_once("//")?;
        Some(ProfileName { namespace: self.namespace.clone(), name: parent.to_owned() })
    }

    /// The last name of the hierarchy (`a//b` → `b`).
    pub fn base_name(&self) -> &str {
        self.name.rsplit("//").next().unwrap_or(&self.name)
    }

    /// The child `child` of this profile.
    pub fn child(&self, child: &str) -> ProfileName {
        ProfileName { namespace: self.namespace.clone(), name: format!("{}//{child}", self.name) }
    }

    /// Nesting depth of the namespace: 0 for the root.
    pub fn namespace_level(&self) -> usize {
        self.namespace.as_deref().map_or(0, |ns| ns.split("//").count())
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, ":{ns}:{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

const UNCONFINED: &str = "unconfined";

/// Why a label or target does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError {
    pub message: String,
}

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LabelError {}

fn error(message: impl Into<String>) -> LabelError {
    LabelError { message: message.into() }
}

/// A label: one or more profiles, reduced (no profile twice), in the order
/// they were added. Equality is set equality.
#[derive(Debug, Clone, Eq)]
pub struct Label {
    layers: Vec<ProfileName>,
}

impl PartialEq for Label {
    fn eq(&self, other: &Label) -> bool {
        self.layers.len() == other.layers.len() && self.layers.iter().all(|p| other.layers.contains(p))
    }
}

impl std::hash::Hash for Label {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.canonical().hash(state)
    }
}

impl Label {
    /// A label of one profile.
    pub fn single(profile: ProfileName) -> Label {
        Label { layers: vec![profile] }
    }

    /// The root namespace's `unconfined`.
    pub fn unconfined() -> Label {
        Label::single(ProfileName::unconfined(None))
    }

    /// A label of these layers, reduced. `None` when there are none.
    pub fn from_layers(layers: impl IntoIterator<Item = ProfileName>) -> Option<Label> {
        let mut out: Vec<ProfileName> = Vec::new();
        for p in layers {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        (!out.is_empty()).then_some(Label { layers: out })
    }

    /// Parses `A`, `A//&B`, `:ns:A//&:ns://B`, `:ns` (the namespace's
    /// `unconfined`), `parent//child`, `parent^hat` (same as
    /// `parent//hat`). A leading `&` is a target's, not a label's: see
    /// [`Target::parse`].
    pub fn parse(text: &str) -> Result<Label, LabelError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(error("empty label"));
        }
        let mut layers = Vec::new();
        for part in text.split(STACK) {
            layers.push(parse_profile(part, text)?);
        }
        Ok(Label::from_layers(layers).expect("at least one layer"))
    }

    /// The layers, in the order they arose.
    pub fn layers(&self) -> &[ProfileName] {
        &self.layers
    }

    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Never true: a label has at least one profile.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    pub fn contains(&self, profile: &ProfileName) -> bool {
        self.layers.contains(profile)
    }

    /// A single profile that is its namespace's `unconfined`.
    pub fn is_unconfined(&self) -> bool {
        self.layers.iter().all(ProfileName::is_unconfined)
    }

    /// The union of two labels (the kernel's label merge): this label's
    /// layers, then the other's that are new.
    pub fn merge(&self, other: &Label) -> Label {
        Label::from_layers(self.layers.iter().chain(&other.layers).cloned()).expect("non-empty")
    }

    /// The layers in the kernel's order (namespace depth, namespace,
    /// profile name), as `/proc/*/attr/current` shows them.
    pub fn canonical(&self) -> Vec<ProfileName> {
        let mut v = self.layers.clone();
        v.sort_by(|a, b| {
            (a.namespace_level(), &a.namespace, &a.name).cmp(&(b.namespace_level(), &b.namespace, &b.name))
        });
        v
    }

    /// The label in the kernel's order, as text.
    pub fn canonical_text(&self) -> String {
        join(&self.canonical())
    }

    /// The namespace a task with this label is in: the deepest of its
    /// layers' (the last in the kernel's order).
    pub fn namespace(&self) -> Option<String> {
        self.canonical().last().and_then(|p| p.namespace.clone())
    }

    /// The label as the task itself sees it: only layers in its namespace
    /// (shown without the namespace) and in namespaces below it (shown
    /// relative to it).
    pub fn view(&self) -> Label {
        let ns = self.namespace();
        let visible = self.layers.iter().filter_map(|p| match (&ns, &p.namespace) {
            (None, _) => Some(p.clone()),
            (Some(v), Some(n)) if n == v => Some(ProfileName::new(p.name.clone())),
            (Some(v), Some(n)) => n
                .strip_prefix(v.as_str())
                .and_then(|rest| rest.strip_prefix("//"))
                .map(|rel| ProfileName { namespace: Some(rel.to_owned()), name: p.name.clone() }),
            (Some(_), None) => None,
        });
        Label::from_layers(visible).unwrap_or_else(|| self.clone())
    }

    /// Whether the two labels have the same profiles (any order).
    pub fn same_set(&self, other: &Label) -> bool {
        self == other
    }
}

fn join(layers: &[ProfileName]) -> String {
    layers.iter().map(ToString::to_string).collect::<Vec<_>>().join(STACK)
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&join(&self.layers))
    }
}

impl std::str::FromStr for Label {
    type Err = LabelError;

    fn from_str(s: &str) -> Result<Label, LabelError> {
        Label::parse(s)
    }
}

/// One layer of a label: `name`, `:ns:name`, `:ns://name`, `:ns:`, `:ns`.
fn parse_profile(part: &str, whole: &str) -> Result<ProfileName, LabelError> {
    if part.is_empty() {
        return Err(error(format!("empty layer in `{whole}`")));
    }
    let (namespace, name) = match part.strip_prefix(':') {
        Some(rest) => {
            let (ns, name) = match rest.find(':') {
                Some(i) => (&rest[..i], rest[i + 1..].strip_prefix("//").unwrap_or(&rest[i + 1..])),
                None => (rest, ""),
            };
            if ns.is_empty() {
                return Err(error(format!("empty namespace in `{whole}`")));
            }
            if ns.split("//").any(str::is_empty) || ns.chars().any(char::is_whitespace) {
                return Err(error(format!("empty namespace component in `{whole}`")));
            }
            (Some(ns.to_owned()), if name.is_empty() { UNCONFINED } else { name })
        }
        None => (None, part),
    };
    let name = name.replace('^', "//");
    if name.split("//").any(str::is_empty) {
        return Err(error(format!("empty profile name in `{whole}`")));
    }
    if name.chars().any(|c| c.is_whitespace() || c == '\0') {
        return Err(error(format!("white space or NUL in profile name in `{whole}`")));
    }
    Ok(ProfileName { namespace, name })
}

/// The target of an exec rule (`-> TARGET`), a `change_profile` rule or
/// `aa_change_profile`/`aa_stack_profile` on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `&...`: stack onto the task's label instead of replacing it.
    pub stack: bool,
    pub label: Label,
}

/// The variable an exec target may name: the profile the rule is in.
pub const PROFILE_NAME_VAR: &str = "@{profile_name}";

impl Target {
    /// Parses `A`, `&A`, `A//&B`, `&A//&B`, with namespaces as in
    /// [`Label::parse`]. `@{profile_name}` is an error here: use
    /// [`Target::parse_in`].
    pub fn parse(text: &str) -> Result<Target, LabelError> {
        let text = text.trim();
        if text.contains("@{") {
            return Err(error(format!("unexpanded variable in `{text}`")));
        }
        let (stack, rest) = match text.strip_prefix('&') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        Ok(Target { stack, label: Label::parse(rest)? })
    }

    /// [`Target::parse`] with `@{profile_name}` standing for `profile`.
    pub fn parse_in(text: &str, profile: &str) -> Result<Target, LabelError> {
        Target::parse(&text.replace(PROFILE_NAME_VAR, profile))
    }

    /// The label a task with `current` gets when this target applies
    /// directly (`change_profile`, `aa_stack_profile`): the target, or
    /// the union with `current` when stacking.
    pub fn apply(&self, current: &Label) -> Label {
        if self.stack { current.merge(&self.label) } else { self.label.clone() }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.stack {
            f.write_str("&")?;
        }
        self.label.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces() {
        let l = Label::parse(":ns:a//&:ns://b//&c").unwrap();
        assert_eq!(l.to_string(), ":ns:a//&:ns:b//&c");
        assert_eq!(l.namespace().as_deref(), Some("ns"));
        assert_eq!(l.view().to_string(), "a//&b");
        assert_eq!(Label::parse(":ns").unwrap().view().to_string(), "unconfined");
        assert_eq!(Label::parse(":ns:").unwrap(), Label::parse(":ns://").unwrap());
    }

    #[test]
    fn children_and_hats() {
        let l = Label::parse("firefox//evince").unwrap();
        assert_eq!(l.layers()[0].parent(), Some(ProfileName::new("firefox")));
        assert_eq!(Label::parse("apache^hat").unwrap().to_string(), "apache//hat");
    }

    #[test]
    fn errors() {
        for bad in ["", "a//&", "//&a", "::a", ": :a", "a////b", "a b", ":ns//:a"] {
            assert!(Label::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert!(Target::parse("&@{profile_name}").is_err());
        assert_eq!(Target::parse_in("&@{profile_name}", "global").unwrap().to_string(), "&global");
    }
}
