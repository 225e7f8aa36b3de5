//! `@{set}` and `$boolean` variables as `apparmor_parser` handles them.
//!
//! Variables live in one table for the whole compilation: definitions are
//! read in order through the root file and everything it includes (an
//! include is textual). `=` defines (again is an error), `+=` adds to an
//! existing set (before a definition is an error), `?=` defines only when
//! absent, `:=` replaces. A set's values form a sorted set, as upstream's
//! `std::set`. A reference in a rule is expanded by *alternation*: a set of
//! several values becomes `{a,b}`, and a `/` at the join with the text
//! around it is not doubled.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::{Arc, Mutex},
};

use aa_syntax::{SyntaxKind, SyntaxNode, TextRange, ast::AstNode};

use crate::{
    Diagnostic,
    db::{Db, File},
    includes::{included_files, parse},
};

/// Where something was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: File,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SetVariable {
    pub values: BTreeSet<String>,
    pub defined_at: Location,
    /// `+=` lines that added values.
    pub additions: Vec<Location>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BoolVariable {
    pub value: bool,
    pub defined_at: Location,
}

/// The variables visible to the profiles of one root file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Variables {
    pub sets: BTreeMap<String, SetVariable>,
    pub bools: BTreeMap<String, BoolVariable>,
    pub diagnostics: Vec<(File, Diagnostic)>,
    /// Sets already expanded (`set_values`), so that every rule and every
    /// reference of a profile's include closure that names `@{HOME}` does
    /// not expand it again. Filled on use; valid while `sets` is not
    /// changed (a table is built once, then only read).
    pub(crate) expanded: ExpansionCache,
}

type Expansion = Result<Arc<BTreeSet<String>>, ExpandError>;

/// A memo beside the table: not part of its value (equal, hashed and
/// cloned as empty).
#[derive(Default)]
pub(crate) struct ExpansionCache(Mutex<HashMap<String, Expansion>>);

impl ExpansionCache {
    fn get(&self, name: &str) -> Option<Expansion> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(name).cloned()
    }

    fn insert(&self, name: &str, expansion: Expansion) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), expansion);
    }
}

impl Clone for ExpansionCache {
    fn clone(&self) -> Self {
        ExpansionCache::default()
    }
}

impl PartialEq for ExpansionCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ExpansionCache {}

impl std::hash::Hash for ExpansionCache {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl std::fmt::Debug for ExpansionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExpansionCache")
    }
}

/// Per-profile variables `apparmor_parser` defines while it processes a profile.
pub const BUILTIN_VARIABLES: &[&str] = &["profile_name", "attach_path", "exec_path"];

/// Evicted like [`crate::model::policy_model`].
#[salsa::tracked(returns(ref), lru = 128)]
pub fn variables(db: &dyn Db, root: File) -> Variables {
    let mut collector =
        Collector { db, variables: Variables::default(), visited: std::collections::HashSet::new(), depth: 0 };
    collector.file(root);
    collector.variables
}

/// A statement of one file that the variable table depends on, as read
/// from its tree once (the table of every root that includes the file is
/// then built from these lists, without walking trees again).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum VariableStatement {
    Set(SetDefinition),
    Bool(BoolDefinition),
    /// An `include` statement (its targets come from `included_files`).
    Include {
        range: TextRange,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SetDefinition {
    name: String,
    name_range: TextRange,
    range: TextRange,
    operator: Option<SyntaxKind>,
    values: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BoolDefinition {
    name: String,
    range: TextRange,
    operator: Option<SyntaxKind>,
    /// `None`: not `true` or `false`.
    value: Option<bool>,
}

fn assignment_operator(node: &SyntaxNode) -> Option<SyntaxKind> {
    node.children_with_tokens()
        .filter_map(|e| e.into_token())
        .map(|t| t.kind())
        .find(|k| matches!(k, SyntaxKind::EQ | SyntaxKind::PLUS_EQ | SyntaxKind::QUESTION_EQ | SyntaxKind::COLON_EQ))
}

/// Definitions and includes of a file in text order, wherever they are
/// (inside profiles and conditional blocks too, as `apparmor_parser` reads
/// them).
#[salsa::tracked(returns(ref))]
fn variable_statements(db: &dyn Db, file: File) -> Vec<VariableStatement> {
    let mut out = Vec::new();
    // The definitions one build of a collection with `#aa:only` /
    // `#aa:exclude` keeps (all of them when no build is chosen: the file as
    // `apparmor_parser` reads it).
    let removed = if db.settings().target_distribution(db).is_some() {
        crate::directives::removed_ranges(db, file)
    } else {
        Vec::new()
    };
    for node in parse(db, file).syntax_node().descendants() {
        if removed.iter().any(|r| r.contains(node.text_range().start())) {
            continue;
        }
        match node.kind() {
            SyntaxKind::VARIABLE_DEF => {
                let Some(def) = aa_syntax::ast::VariableDef::cast(node.clone()) else {
                    continue;
                };
                let (Some(token), Some(name)) = (def.variable(), def.name()) else {
                    continue;
                };
                out.push(VariableStatement::Set(SetDefinition {
                    name,
                    name_range: token.text_range(),
                    range: node.text_range(),
                    operator: assignment_operator(&node),
                    values: def.values().map(|v| unquote(&v.text())).collect(),
                }));
            }
            SyntaxKind::BOOL_DEF => {
                let mut tokens = node.children_with_tokens().filter_map(|e| e.into_token());
                let Some(variable) = tokens.find(|t| t.kind() == SyntaxKind::BOOL_VARIABLE) else {
                    continue;
                };
                let values: Vec<String> =
                    node.children().filter(|n| n.kind() == SyntaxKind::VALUE).map(|n| n.text().to_string()).collect();
                let value = match values.as_slice() {
                    [one] if one.eq_ignore_ascii_case("true") => Some(true),
                    [one] if one.eq_ignore_ascii_case("false") => Some(false),
                    _ => None,
                };
                out.push(VariableStatement::Bool(BoolDefinition {
                    name: bool_name(variable.text()),
                    range: node.text_range(),
                    operator: assignment_operator(&node),
                    value,
                }));
            }
            SyntaxKind::INCLUDE => out.push(VariableStatement::Include { range: node.text_range() }),
            _ => {}
        }
    }
    out
}

struct Collector<'db> {
    db: &'db dyn Db,
    variables: Variables,
    visited: std::collections::HashSet<File>,
    /// Includes being read, nested: bounded as `include_closure` bounds
    /// them (which reports `include-too-deep`).
    depth: usize,
}

impl Collector<'_> {
    fn file(&mut self, file: File) {
        if self.depth >= crate::includes::MAX_INCLUDE_DEPTH
            || self.visited.len() >= crate::includes::MAX_INCLUDED_FILES
            || !self.visited.insert(file)
        {
            return;
        }
        self.depth += 1;
        for statement in variable_statements(self.db, file) {
            match statement {
                VariableStatement::Set(def) => self.set_definition(file, def),
                VariableStatement::Bool(def) => self.bool_definition(file, def),
                VariableStatement::Include { range } => {
                    for &target in included_files(self.db, file, *range) {
                        self.file(target);
                    }
                }
            }
        }
        self.depth -= 1;
    }

    fn error(&mut self, file: File, code: &'static str, message: String, range: TextRange) {
        self.variables.diagnostics.push((file, Diagnostic::error(code, message, range)));
    }

    fn set_definition(&mut self, file: File, def: &SetDefinition) {
        let SetDefinition { name, name_range, range, operator, values } = def;
        let (name, range) = (name.clone(), *range);
        let location = Location { file, range };
        if let Err(message) = check_name(&name) {
            self.error(file, "invalid-variable-name", message, *name_range);
            return;
        }
        if values.is_empty() {
            self.error(file, "empty-variable", format!("`@{{{name}}}` is given no value"), range);
            return;
        }
        let values = values.clone();
        let sets = &mut self.variables.sets;
        match operator {
            Some(SyntaxKind::PLUS_EQ) => match sets.get_mut(&name) {
                Some(existing) => {
                    existing.values.extend(values);
                    existing.additions.push(location);
                }
                None => self.error(
                    file,
                    "append-to-undefined-variable",
                    format!("`@{{{name}}}` is given more values with `+=` but was not defined before"),
                    range,
                ),
            },
            Some(SyntaxKind::COLON_EQ) => {
                sets.insert(name, SetVariable { values, defined_at: location, additions: Vec::new() });
            }
            Some(SyntaxKind::QUESTION_EQ) => {
                sets.entry(name).or_insert(SetVariable { values, defined_at: location, additions: Vec::new() });
            }
            _ => {
                let earlier = sets.get(&name).map(|v| v.defined_at);
                if earlier.is_some_and(|at| in_other_builds(self.db, at, location)) {
                    // apparmor.d's alternatives for each build (`#aa:only apt`
                    // / `#aa:only pacman`): no build reads both.
                } else if self.variables.bools.contains_key(&name) || sets.contains_key(&name) {
                    self.error(
                        file,
                        "variable-redefined",
                        format!("`@{{{name}}}` is already defined; use `+=` to add values or `:=` to replace them"),
                        range,
                    );
                } else {
                    sets.insert(name, SetVariable { values, defined_at: location, additions: Vec::new() });
                }
            }
        }
    }

    fn bool_definition(&mut self, file: File, def: &BoolDefinition) {
        let BoolDefinition { name, range, operator, value } = def;
        let (name, range) = (name.clone(), *range);
        if *operator == Some(SyntaxKind::PLUS_EQ) {
            self.error(file, "bool-append", "`+=` cannot be used with boolean variables".into(), range);
            return;
        }
        let Some(value) = *value else {
            self.error(file, "invalid-boolean", format!("`${name}` must be set to `true` or `false`"), range);
            return;
        };
        let location = Location { file, range };
        let bools = &mut self.variables.bools;
        match operator {
            Some(SyntaxKind::COLON_EQ) => {
                bools.insert(name, BoolVariable { value, defined_at: location });
            }
            Some(SyntaxKind::QUESTION_EQ) => {
                bools.entry(name).or_insert(BoolVariable { value, defined_at: location });
            }
            _ => {
                if bools.contains_key(&name) || self.variables.sets.contains_key(&name) {
                    self.error(file, "variable-redefined", format!("`${name}` is already defined"), range);
                } else {
                    bools.insert(name, BoolVariable { value, defined_at: location });
                }
            }
        }
    }
}

/// `${name}` / `$name` → `name`.
pub fn bool_name(text: &str) -> String {
    let inner = text.strip_prefix("${").and_then(|s| s.strip_suffix('}'));
    inner.or_else(|| text.strip_prefix('$')).unwrap_or(text).to_string()
}

/// A variable name starts with a letter and holds letters, digits and `_`.
fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return Err(format!("variable name `{name}` must start with a letter")),
    }
    if chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(format!("variable name `{name}` may only hold letters, digits and `_`"))
    }
}

/// A value as `apparmor_parser` stores it: quotes removed, escapes of
/// characters that are not glob syntax resolved.
pub fn unquote(text: &str) -> String {
    let inner = match text.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"').unwrap_or(rest),
        None => text,
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // Glob syntax stays escaped for the regex conversion.
            Some(next) if "*?[]{}^,\\".contains(next) => {
                out.push('\\');
                out.push(next);
            }
            Some(next) => out.push(next),
            None => out.push('\\'),
        }
    }
    out
}

/// Why a value could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandError {
    Undefined(String),
    /// A boolean used where a set is needed.
    NotASet(String),
    Recursive(String),
    TooLarge,
    /// A text whose expansion is longer than `MAX_EXPANDED_LEN`.
    TooLong,
    /// Variables referring to variables past `MAX_VARIABLE_DEPTH`.
    TooDeep(String),
}

impl std::fmt::Display for ExpandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpandError::Undefined(name) => write!(f, "`@{{{name}}}` is not defined"),
            ExpandError::NotASet(name) => {
                write!(f, "`{name}` is a boolean variable and cannot be used in a path or value")
            }
            ExpandError::Recursive(name) => write!(f, "`@{{{name}}}` refers to itself"),
            ExpandError::TooLarge => write!(f, "variable expansion is too large"),
            ExpandError::TooLong => write!(f, "the expanded text is longer than {} KiB", MAX_EXPANDED_LEN >> 10),
            ExpandError::TooDeep(name) => write!(
                f,
                "`@{{{name}}}` is reached through more than {MAX_VARIABLE_DEPTH} variables referring to each other; it is not expanded"
            ),
        }
    }
}

/// The first `@{...}` of `text` not preceded by an escape: (start, end) byte
/// offsets of the whole reference.
fn find_reference(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut escaped = false;
    let mut start = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => escaped = !escaped,
            b'@' if !escaped && bytes.get(i + 1) == Some(&b'{') && start.is_none() => {
                start = Some(i);
                i += 2;
                continue;
            }
            b'}' if !escaped => {
                if let Some(start) = start {
                    return Some((start, i + 1));
                }
            }
            _ => escaped = false,
        }
        if bytes[i] != b'\\' {
            escaped = false;
        }
        i += 1;
    }
    None
}

const MAX_VALUES: usize = 100_000;

/// Longest text one expansion may produce (a rule naming a large set many
/// times would otherwise grow without bound).
pub const MAX_EXPANDED_LEN: usize = 1 << 20;

/// How deep variables may refer to variables that refer to variables:
/// deeper is reported rather than followed, so a generated chain cannot
/// exhaust the stack.
pub const MAX_VARIABLE_DEPTH: usize = 64;

impl Variables {
    /// All values of a set, with the variables inside them expanded.
    pub fn set_values(&self, name: &str) -> Result<BTreeSet<String>, ExpandError> {
        self.shared_set_values(name).map(|values| values.as_ref().clone())
    }

    /// [`Variables::set_values`], shared: each set is expanded once per
    /// table (a top-level expansion starts from nothing, so its result is
    /// the same every time).
    pub fn shared_set_values(&self, name: &str) -> Expansion {
        if let Some(expansion) = self.expanded.get(name) {
            return expansion;
        }
        let mut memo = HashMap::new();
        let expansion = self.expand_set(name, &mut Vec::new(), &mut memo).map(Arc::new);
        self.expanded.insert(name, expansion.clone());
        expansion
    }

    /// `memo` holds the sets already expanded in this call, so a set used by
    /// many values of another is expanded once.
    fn expand_set(
        &self,
        name: &str,
        expanding: &mut Vec<String>,
        memo: &mut HashMap<String, BTreeSet<String>>,
    ) -> Result<BTreeSet<String>, ExpandError> {
        let Some(set) = self.sets.get(name) else {
            if self.bools.contains_key(name) {
                return Err(ExpandError::NotASet(name.to_string()));
            }
            return Err(ExpandError::Undefined(name.to_string()));
        };
        if let Some(done) = memo.get(name) {
            return Ok(done.clone());
        }
        if expanding.iter().any(|n| n == name) {
            return Err(ExpandError::Recursive(name.to_string()));
        }
        if expanding.len() >= MAX_VARIABLE_DEPTH {
            return Err(ExpandError::TooDeep(name.to_string()));
        }
        expanding.push(name.to_string());
        let mut done = BTreeSet::new();
        let mut work: Vec<String> = set.values.iter().cloned().collect();
        while let Some(value) = work.pop() {
            match find_reference(&value) {
                None => {
                    done.insert(value);
                }
                Some((start, end)) => {
                    let inner = &value[start + 2..end - 1];
                    if check_name(inner).is_err() {
                        // `@{a,b}` is the deprecated alternation spelling, kept as text.
                        done.insert(value);
                        continue;
                    }
                    for replacement in self.expand_set(inner, expanding, memo)? {
                        work.push(format!("{}{}{}", &value[..start], replacement, &value[end..]));
                    }
                }
            }
            if done.len() + work.len() > MAX_VALUES {
                return Err(ExpandError::TooLarge);
            }
        }
        expanding.pop();
        memo.insert(name.to_string(), done.clone());
        Ok(done)
    }

    /// Expands every `@{var}` in `text` into an alternation `{a,b}` as
    /// `apparmor_parser` does; `builtin` answers the per-profile variables.
    ///
    /// One pass from left to right: the values put in are already expanded
    /// (`set_values`) or are a per-profile value taken as it is, so they are
    /// not scanned again, and a value that names itself (`profile
    /// @{profile_name}`) cannot loop. The result is bounded by
    /// `MAX_EXPANDED_LEN`.
    pub fn expand(&self, text: &str, builtin: &dyn Fn(&str) -> Option<String>) -> Result<String, ExpandError> {
        let mut out = String::new();
        let mut rest = text;
        let mut cache: Vec<(&str, Vec<String>)> = Vec::new();
        while let Some((start, end)) = find_reference(rest) {
            let name = &rest[start + 2..end - 1];
            if check_name(name).is_err() {
                // `@{a,b}`: the deprecated alternation spelling, kept as text.
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            out.push_str(&rest[..start]);
            let suffix = &rest[end..];
            let values = match cache.iter().position(|(n, _)| *n == name) {
                Some(i) => &cache[i].1,
                None => {
                    let values: Vec<String> = match builtin(name) {
                        Some(value) if !self.sets.contains_key(name) => vec![value],
                        _ => self.shared_set_values(name)?.iter().cloned().collect(),
                    };
                    cache.push((name, values));
                    &cache[cache.len() - 1].1
                }
            };
            // Do not double a `/` at either join (but keep a leading `//`).
            let trim_leading = out.ends_with('/') && !out.trim_start_matches('/').is_empty();
            let trim_trailing = suffix.starts_with('/');
            let trim = |value: &str| -> String {
                let mut value = value;
                if trim_leading {
                    value = value.trim_start_matches('/');
                }
                if trim_trailing {
                    value = value.trim_end_matches('/');
                }
                value.to_string()
            };
            if values.len() > 1 {
                out.push('{');
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&trim(value));
                    if out.len() > MAX_EXPANDED_LEN {
                        return Err(ExpandError::TooLong);
                    }
                }
                out.push('}');
            } else if let Some(value) = values.first() {
                out.push_str(&trim(value));
            }
            if out.len() > MAX_EXPANDED_LEN {
                return Err(ExpandError::TooLong);
            }
            rest = suffix;
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A variable reference in a file, with what is needed to judge it
/// against a root's variable table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    pub name: String,
    pub is_bool: bool,
    pub range: TextRange,
    /// For the per-profile built-ins: whether they are defined here when the
    /// file is the root, and when it is read through an include.
    pub builtin_as_root: bool,
    pub builtin_when_included: bool,
}

/// Every `@{name}` (in words and in quoted strings) and `$name` a file uses,
/// outside definitions and `defined` tests. Computed once per file.
#[salsa::tracked(returns(ref))]
pub fn file_references(db: &dyn Db, file: File) -> Vec<Reference> {
    let root = parse(db, file).syntax_node();
    let mut out = Vec::new();
    let mut walk = root.preorder_with_tokens();
    while let Some(event) = walk.next() {
        let aa_syntax::WalkEvent::Enter(element) = event else {
            continue;
        };
        let token = match element {
            aa_syntax::NodeOrToken::Node(node) => {
                // Definitions are checked when a reference expands them, and
                // `defined $x` asks rather than uses.
                if matches!(node.kind(), SyntaxKind::VARIABLE_DEF | SyntaxKind::BOOL_DEF | SyntaxKind::DEFINED_EXPR) {
                    walk.skip_subtree();
                }
                continue;
            }
            aa_syntax::NodeOrToken::Token(token) => token,
        };
        let mut push = |name: &str, is_bool: bool, range: TextRange| {
            let builtin = !is_bool && BUILTIN_VARIABLES.contains(&name);
            out.push(Reference {
                name: name.to_string(),
                is_bool,
                range,
                builtin_as_root: builtin && builtin_defined(name, &token, false),
                builtin_when_included: builtin && builtin_defined(name, &token, true),
            });
        };
        match token.kind() {
            SyntaxKind::VARIABLE => {
                let text = token.text();
                let name = &text[2..text.len() - 1];
                if check_name(name).is_ok() {
                    push(name, false, token.text_range());
                }
            }
            // A quoted value is expanded too (`path="/a/@{x}"`).
            SyntaxKind::STRING => {
                let text = token.text().to_string();
                let mut rest = text.as_str();
                let mut offset = 0;
                while let Some((start, end)) = find_reference(rest) {
                    let name = &rest[start + 2..end - 1];
                    if check_name(name).is_ok() {
                        let range = TextRange::at(
                            token.text_range().start() + aa_syntax::TextSize::from((offset + start) as u32),
                            aa_syntax::TextSize::from((end - start) as u32),
                        );
                        push(name, false, range);
                    }
                    offset += end;
                    rest = &rest[end..];
                }
            }
            SyntaxKind::BOOL_VARIABLE => push(&bool_name(token.text()), true, token.text_range()),
            _ => {}
        }
    }
    out
}

/// The references of `file` that the root's variable table cannot answer.
pub fn reference_diagnostics(
    variables: &Variables,
    file: File,
    references: &[Reference],
    included: bool,
    per_profile: &[&str],
) -> Vec<(File, Diagnostic)> {
    let mut out = Vec::new();
    // Expanding a set can be costly (`@{HOME}` through several levels); each
    // name is judged once.
    let mut verdicts: HashMap<&str, Option<ExpandError>> = HashMap::new();
    for reference in references {
        let name = reference.name.as_str();
        if reference.is_bool {
            if !variables.bools.contains_key(name) {
                let message = if variables.sets.contains_key(name) {
                    format!("`@{{{name}}}` is a set variable, not a boolean")
                } else {
                    format!("`${name}` is not defined")
                };
                out.push((file, Diagnostic::error("undefined-variable", message, reference.range)));
            }
            continue;
        }
        // A version without the variable reads it as the user's own.
        let builtin = if included { reference.builtin_when_included } else { reference.builtin_as_root };
        if builtin && per_profile.contains(&name) {
            continue;
        }
        let verdict = verdicts.entry(name).or_insert_with(|| variables.shared_set_values(name).err());
        if let Some(error) = verdict {
            if let ExpandError::Undefined(_) = error
                && per_profile.contains(&name)
            {
                let message = format!(
                    "`@{{{name}}}` is not defined here: the per-profile variables are defined inside a profile's body, not in its name, attachment or flags, nor outside profiles"
                );
                out.push((file, Diagnostic::error("undefined-variable", message, reference.range)));
                continue;
            }
            let code = match error {
                ExpandError::Undefined(_) => "undefined-variable",
                ExpandError::NotASet(_) => "boolean-as-set",
                ExpandError::Recursive(_) => "recursive-variable",
                ExpandError::TooLarge | ExpandError::TooLong | ExpandError::TooDeep(_) => "variable-too-large",
            };
            out.push((file, Diagnostic::error(code, error.to_string(), reference.range)));
        }
    }
    out
}

fn builtin_defined(name: &str, token: &aa_syntax::SyntaxToken, included: bool) -> bool {
    let Some(profile) = token.parent_ancestors().find(|n| matches!(n.kind(), SyntaxKind::PROFILE | SyntaxKind::HAT))
    else {
        return included;
    };
    // In a profile's own header (its name, attachment, flags) the
    // per-profile variables are not defined yet: `apparmor_parser` reports
    // `profile @{profile_name} {` as an undeclared variable, and expanding
    // it there would be circular.
    let in_body =
        profile.children().any(|n| n.kind() == SyntaxKind::BLOCK && n.text_range().contains_range(token.text_range()));
    if !in_body {
        return false;
    }
    if name == "profile_name" {
        return true;
    }
    if profile.kind() == SyntaxKind::HAT {
        return false;
    }
    let Some(profile) = aa_syntax::ast::Profile::cast(profile) else {
        return true;
    };
    if profile.is_hat() {
        return false;
    }
    profile.attachment().is_some()
        || profile.name().is_some_and(|n| {
            let text = unquote(&n.text());
            text.starts_with('/') || text.starts_with("@{")
        })
}

/// Whether no build of an `#aa:only` / `#aa:exclude` collection keeps
/// both definitions (only asked when no target build is chosen, since
/// one build's definitions are read without the others).
fn in_other_builds(db: &dyn Db, a: Location, b: Location) -> bool {
    if db.settings().target_distribution(db).is_some() {
        return false;
    }
    let builds_a = crate::directives::builds_keeping(db, a.file, a.range.start());
    if builds_a.len() == crate::directives::BUILDS.len() {
        return false;
    }
    let builds_b = crate::directives::builds_keeping(db, b.file, b.range.start());
    !builds_a.iter().any(|x| builds_b.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(defs: &[(&str, &[&str])]) -> Variables {
        let mut variables = Variables::default();
        for (name, values) in defs {
            // Locations are irrelevant to expansion; reuse a dummy via the salsa-free path.
            variables.sets.insert(
                name.to_string(),
                SetVariable {
                    values: values.iter().map(|v| v.to_string()).collect(),
                    defined_at: dummy_location(),
                    additions: Vec::new(),
                },
            );
        }
        variables
    }

    fn dummy_location() -> Location {
        use crate::db::{FileContent, FileLoader, RootDatabase};
        struct Nothing;
        impl FileLoader for Nothing {
            fn load(&self, _: &std::path::Path) -> FileContent {
                FileContent::NotFound
            }
        }
        let db = RootDatabase::new(Arc::new(Nothing), vec![], "/".into(), "/".into());
        use crate::db::Db;
        Location { file: db.file(std::path::Path::new("/x")), range: TextRange::default() }
    }

    #[test]
    fn expansion_by_alternation_merges_slashes() {
        let vars = table(&[("HOME", &["/home/*/", "/root/"]), ("one", &["x"]), ("nested", &["@{one}/y", "z"])]);
        let none = |_: &str| None;
        assert_eq!(vars.expand("@{HOME}/.cache/**", &none).unwrap(), "{/home/*,/root}/.cache/**");
        assert_eq!(vars.expand("/a/@{one}/b", &none).unwrap(), "/a/x/b");
        assert_eq!(vars.expand("/a/@{nested}", &none).unwrap(), "/a/{x/y,z}");
        assert_eq!(
            vars.expand("/p/@{profile_name}", &|n: &str| (n == "profile_name").then(|| "foo".to_string())).unwrap(),
            "/p/foo"
        );
        assert_eq!(vars.expand("/a/\\@{one}", &none).unwrap(), "/a/\\@{one}");
        assert_eq!(vars.expand("@{a,b}", &none).unwrap(), "@{a,b}");
        assert_eq!(vars.expand("/a/@{missing}", &none), Err(ExpandError::Undefined("missing".into())));
    }

    #[test]
    fn recursive_definitions_are_reported() {
        let vars = table(&[("a", &["@{b}"]), ("b", &["@{a}"])]);
        assert!(matches!(vars.set_values("a"), Err(ExpandError::Recursive(_))));
    }

    #[test]
    fn unquote_keeps_glob_escapes() {
        assert_eq!(unquote("\"a b\""), "a b");
        assert_eq!(unquote("a\\ b"), "a b");
        assert_eq!(unquote("a\\*b"), "a\\*b");
    }
}

/// Every variable name a file mentions, other than as the name a definition
/// defines: `@{x}` and `${x}` anywhere (rules, values of other definitions,
/// quoted strings, conditions), and the bare `@x` / `$x` of `defined` tests.
/// Set and boolean names are not told apart. Computed once per file: it is
/// what `unused-variable` looks for, and what the file's meaning can depend
/// on in a variable table.
#[salsa::tracked(returns(ref))]
pub fn file_variable_names(db: &dyn Db, file: File) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    parse(db, file).visit_tokens(|token| {
        let defines = matches!(token.parent, SyntaxKind::VARIABLE_DEF | SyntaxKind::BOOL_DEF) && token.first_child;
        if !defines && token.text.contains(['@', '$']) {
            collect_mentioned_names(token.text, &mut names);
        }
    });
    names
}

/// Names mentioned in a token's text: `@{name}`, `${name}`, `@name`, `$name`.
pub(crate) fn collect_mentioned_names(text: &str, out: &mut BTreeSet<String>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'@' | b'$') {
            if bytes.get(i + 1) == Some(&b'{') {
                if let Some(end) = text[i + 2..].find('}') {
                    out.insert(text[i + 2..i + 2 + end].to_string());
                    i += end + 3;
                    continue;
                }
            } else {
                let rest = &text[i + 1..];
                let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
                if len > 0 {
                    out.insert(rest[..len].to_string());
                }
            }
        }
        i += 1;
    }
}
