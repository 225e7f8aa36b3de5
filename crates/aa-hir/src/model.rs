//! The resolved policy: every profile, hat and child profile of a policy
//! file with its rules, after includes are spliced in, variables expanded,
//! conditionals decided and qualifier blocks distributed. Each rule keeps
//! where it was written and the chain of includes that brought it in, so a
//! finding inside an abstraction can point at both.

mod directive_rules;

use std::{
    cell::Cell,
    collections::{BTreeSet, HashMap},
    sync::Arc,
};

use aa_syntax::{
    SyntaxKind::{self, *},
    SyntaxNode, TextRange,
    ast::{self, AstNode},
};

use aa_target::{DefinedBoolean, Language};

use crate::{
    Diagnostic,
    db::{Db, File},
    includes::{included_files, parse},
    variables::{
        BUILTIN_VARIABLES, BoolVariable, Location, SetVariable, Variables, bool_name, file_variable_names, unquote,
        variables,
    },
};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyModel {
    pub profiles: Vec<Profile>,
    /// Where the model stopped because the input went past one of its
    /// bounds (`MAX_PROFILE_DEPTH`, `MAX_BLOCK_DEPTH`).
    pub diagnostics: Vec<(File, Diagnostic)>,
}

/// Profiles (children and hats) nested deeper than this are reported and
/// not read, so that generated input cannot exhaust the stack.
pub const MAX_PROFILE_DEPTH: usize = 64;

/// Blocks (profile bodies, `if` branches, qualifier blocks) nested deeper
/// than this, counted through includes, are reported and not read.
pub const MAX_BLOCK_DEPTH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileKind {
    TopLevel,
    Child,
    Hat,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The name as written, variables expanded (`:ns:name` keeps its namespace).
    pub name: String,
    pub kind: ProfileKind,
    /// Index of the enclosing profile in `PolicyModel::profiles`.
    pub parent: Option<usize>,
    /// The attachment: explicit, or the name when it is a path.
    pub attachment: Option<String>,
    pub flags: Vec<String>,
    pub origin: Origin,
    pub rules: Vec<Rule>,
}

/// Where something was written, and the include statements that led there
/// (outermost first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub location: Location,
    pub via: IncludeChain,
}

/// The include statements that led to a file, outermost first. Shared by
/// every rule read through the same chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct IncludeChain(Arc<[Location]>);

impl IncludeChain {
    fn then(&self, include: Location) -> IncludeChain {
        IncludeChain(self.0.iter().copied().chain(std::iter::once(include)).collect())
    }
}

impl std::ops::Deref for IncludeChain {
    type Target = [Location];

    fn deref(&self) -> &[Location] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a IncludeChain {
    type Item = &'a Location;
    type IntoIter = std::slice::Iter<'a, Location>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RuleMode {
    #[default]
    Allow,
    Deny,
    Prompt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Owner {
    #[default]
    Any,
    Owner,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Qualifiers {
    pub audit: bool,
    pub mode: RuleMode,
    pub owner: Owner,
    pub priority: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    pub origin: Origin,
    pub qualifiers: Qualifiers,
    /// Shared with every other profile that reads the same rule through an
    /// include with the same variables.
    pub kind: Arc<RuleKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// `path perms [-> target]`, or `file,` (path `None`: every file).
    File {
        path: Option<String>,
        perms: String,
        target: Option<String>,
        exec_safety: Option<bool>,
    },
    Link {
        subset: bool,
        path: String,
        target: String,
    },
    Capability {
        names: Vec<String>,
    },
    ChangeProfile {
        exec: Option<String>,
        target: Option<String>,
    },
    Rlimit {
        resource: String,
        value: String,
    },
    All,
    /// network, unix, dbus, signal, ptrace, mount, umount, remount,
    /// pivot_root, mqueue, io_uring, userns: the access words, the plain
    /// words and the conditions, values expanded.
    Other {
        class: SyntaxKind,
        access: Vec<String>,
        words: Vec<String>,
        conditions: Vec<Condition>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Condition {
    pub name: String,
    pub values: Vec<String>,
    /// `peer=( ... )`: the nested conditions.
    pub group: Vec<Condition>,
}

/// Kept for the last [`crate::ROOT_MEMO_CAPACITY`] roots used when a new
/// revision starts or the front end asks (`trigger_lru_eviction`): the CLI
/// evicts between batches of roots, so memory does not grow with the
/// collection.
#[salsa::tracked(returns(ref), lru = 128)]
pub fn policy_model(db: &dyn Db, root: File) -> PolicyModel {
    let mut builder = Builder {
        db,
        variables: variables(db, root),
        profiles: Vec::new(),
        include_depth: 0,
        block_depth: 0,
        views: HashMap::new(),
        diagnostics: Vec::new(),
    };
    let tree = parse(db, root).tree();
    let ctx = Context {
        file: root,
        via: IncludeChain::default(),
        profile: None,
        qualifiers: Qualifiers::default(),
        stacked: None,
    };
    builder.items(tree.syntax(), &ctx);
    PolicyModel { profiles: builder.profiles, diagnostics: builder.diagnostics }
}

// An included file is read once per set of variable values it can see, not
// once per profile: `fragment` holds its rules expanded and its conditionals
// decided, and each profile splices the shared rules in with its own include
// chain and qualifiers. What depends on the including profile
// (`@{profile_name}`, profiles defined inside the file) is left to the
// splice.

/// The part of a root's variable table that an included file's meaning can
/// depend on: the sets and booleans the file mentions, and the sets their
/// values refer to. Profiles whose tables agree on it share the file's
/// [`fragment`].
#[salsa::interned(debug)]
struct VariableView<'db> {
    #[returns(ref)]
    sets: Vec<(String, BTreeSet<String>)>,
    #[returns(ref)]
    bools: Vec<(String, bool)>,
}

fn variable_view<'db>(db: &'db dyn Db, file: File, table: &Variables) -> VariableView<'db> {
    let mut sets = Vec::new();
    let mut bools = Vec::new();
    let mut seen = BTreeSet::new();
    let mut work: Vec<&str> = file_variable_names(db, file).iter().map(String::as_str).collect();
    let mut mentioned = BTreeSet::new();
    while let Some(name) = work.pop() {
        if !seen.insert(name.to_string()) {
            continue;
        }
        if let Some((name, set)) = table.sets.get_key_value(name) {
            for value in &set.values {
                crate::variables::collect_mentioned_names(value, &mut mentioned);
            }
            sets.push((name.clone(), set.values.clone()));
        } else if let Some((name, bool)) = table.bools.get_key_value(name) {
            bools.push((name.clone(), bool.value));
        }
        for name in std::mem::take(&mut mentioned) {
            if !seen.contains(&name) {
                if let Some((name, _)) = table.sets.get_key_value(&name) {
                    work.push(name);
                } else if let Some((name, _)) = table.bools.get_key_value(&name) {
                    work.push(name);
                }
            }
        }
    }
    sets.sort();
    bools.sort();
    VariableView::new(db, sets, bools)
}

/// What an included file contributes, read with the variables of `view`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
struct Fragment {
    items: Vec<FragmentItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FragmentItem {
    /// A rule, its qualifiers merged with those of the blocks around it in
    /// the file.
    Rule {
        range: TextRange,
        qualifiers: Qualifiers,
        kind: Arc<RuleKind>,
    },
    /// A profile or hat defined in the file, or a rule that uses a
    /// per-profile variable: built when spliced. `qualifiers` are those of
    /// the blocks around it.
    Deferred {
        kind: SyntaxKind,
        range: TextRange,
        qualifiers: Qualifiers,
    },
    Include {
        range: TextRange,
        qualifiers: Qualifiers,
    },
}

#[salsa::tracked(returns(ref))]
fn fragment<'db>(db: &'db dyn Db, file: File, view: VariableView<'db>) -> Fragment {
    let unknown = Location { file, range: TextRange::default() };
    let table = Variables {
        sets: view
            .sets(db)
            .iter()
            .map(|(name, values)| {
                (name.clone(), SetVariable { values: values.clone(), defined_at: unknown, additions: Vec::new() })
            })
            .collect(),
        bools: view
            .bools(db)
            .iter()
            .map(|(name, value)| (name.clone(), BoolVariable { value: *value, defined_at: unknown }))
            .collect(),
        ..Variables::default()
    };
    let mut items = Vec::new();
    let removed = crate::directives::removed_ranges(db, file);
    let language = &crate::db::target(db).language;
    collect_fragment(&table, language, &parse(db, file).syntax_node(), Qualifiers::default(), &removed, &mut items);
    // Directives written outside any profile of the file (an abstraction's).
    for directive in &crate::directives::file_directives(db, file).directives {
        if directive.profile.is_some() || is_removed(&removed, directive.range) {
            continue;
        }
        let text = crate::directives::expansion(db, &directive.kind);
        for node in directive_rule_nodes(&text) {
            if let Some((qualifiers, rule)) =
                build_rule(&table, &node, Qualifiers::default(), &|_| None, &Cell::new(false))
            {
                items.push(FragmentItem::Rule { range: directive.range, qualifiers, kind: Arc::new(rule) });
            }
        }
    }
    Fragment { items }
}

fn collect_fragment(
    table: &Variables,
    language: &Language,
    parent: &SyntaxNode,
    qualifiers: Qualifiers,
    removed: &[TextRange],
    out: &mut Vec<FragmentItem>,
) {
    for node in parent.children() {
        if is_removed(removed, node.text_range()) {
            continue;
        }
        match node.kind() {
            kind @ (PROFILE | HAT) => out.push(FragmentItem::Deferred { kind, range: node.text_range(), qualifiers }),
            INCLUDE => out.push(FragmentItem::Include { range: node.text_range(), qualifiers }),
            IF_STMT => {
                for branch in taken_branch(table, &node, language) {
                    collect_fragment(table, language, &branch, qualifiers, removed, out);
                }
            }
            QUALIFIED_BLOCK => {
                if let Some(block) = node.children().find(|n| n.kind() == BLOCK) {
                    collect_fragment(table, language, &block, block_qualifiers(&node, qualifiers), removed, out);
                }
            }
            kind if kind.is_rule() => {
                let per_profile = Cell::new(false);
                let builtin = |var: &str| {
                    if BUILTIN_VARIABLES.contains(&var) {
                        per_profile.set(true);
                    }
                    None
                };
                let too_large = Cell::new(false);
                match build_rule(table, &node, qualifiers, &builtin, &too_large) {
                    // A rule whose expansion went past the bound is rebuilt
                    // when spliced, where it is reported.
                    Some(_) if per_profile.get() || too_large.get() => {
                        out.push(FragmentItem::Deferred { kind, range: node.text_range(), qualifiers })
                    }
                    Some((qualifiers, rule)) => {
                        out.push(FragmentItem::Rule { range: node.text_range(), qualifiers, kind: Arc::new(rule) })
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
}

/// Whether what starts at `range` is in a block the target build removes.
fn is_removed(removed: &[TextRange], range: TextRange) -> bool {
    removed.iter().any(|r| r.contains(range.start()))
}

/// The rule nodes of a directive's expansion.
fn directive_rule_nodes(text: &str) -> Vec<SyntaxNode> {
    if text.is_empty() {
        return Vec::new();
    }
    aa_syntax::parse(text).syntax_node().descendants().filter(|n| n.kind().is_rule()).collect()
}

/// The node of `kind` spanning exactly `range`.
fn find_node(root: &SyntaxNode, kind: SyntaxKind, range: TextRange) -> Option<SyntaxNode> {
    aa_syntax::node_spanning(root, range, |k| k == kind)
}

struct Builder<'db> {
    db: &'db dyn Db,
    variables: &'db Variables,
    profiles: Vec<Profile>,
    include_depth: usize,
    block_depth: usize,
    views: HashMap<File, VariableView<'db>>,
    diagnostics: Vec<(File, Diagnostic)>,
}

#[derive(Clone)]
struct Context {
    file: File,
    via: IncludeChain,
    profile: Option<usize>,
    qualifiers: Qualifiers,
    /// Reading a profile that `#aa:stack` stacks: the lines of `file` the
    /// build leaves out. Its own directives then stay comments, since the
    /// build expands only the directives of the file it builds.
    stacked: Option<Arc<[TextRange]>>,
}

impl Context {
    fn origin(&self, range: TextRange) -> Origin {
        Origin { location: Location { file: self.file, range }, via: self.via.clone() }
    }
}

impl Builder<'_> {
    fn items(&mut self, parent: &SyntaxNode, ctx: &Context) {
        if self.block_depth >= MAX_BLOCK_DEPTH {
            let message = format!(
                "blocks nested more than {MAX_BLOCK_DEPTH} deep (counted through includes); what is inside is not read"
            );
            self.diagnostics.push((ctx.file, Diagnostic::error("nesting-too-deep", message, parent.text_range())));
            return;
        }
        self.block_depth += 1;
        self.items_inner(parent, ctx);
        self.block_depth -= 1;
    }

    fn items_inner(&mut self, parent: &SyntaxNode, ctx: &Context) {
        let removed = match &ctx.stacked {
            Some(left_out) => left_out.to_vec(),
            None => crate::directives::removed_ranges(self.db, ctx.file),
        };
        for node in parent.children() {
            if is_removed(&removed, node.text_range()) {
                continue;
            }
            match node.kind() {
                PROFILE | HAT => self.profile(&node, ctx),
                INCLUDE => self.include(node.text_range(), ctx),
                IF_STMT => {
                    for branch in taken_branch(self.variables, &node, &crate::db::target(self.db).language) {
                        self.items(&branch, ctx);
                    }
                }
                QUALIFIED_BLOCK => {
                    if let Some(block) = node.children().find(|n| n.kind() == BLOCK) {
                        let inner = Context { qualifiers: block_qualifiers(&node, ctx.qualifiers), ..ctx.clone() };
                        self.items(&block, &inner);
                    }
                }
                kind if kind.is_rule() => self.rule(&node, ctx),
                _ => {}
            }
        }
    }

    fn include(&mut self, range: TextRange, ctx: &Context) {
        if self.include_depth >= crate::includes::MAX_INCLUDE_DEPTH {
            return;
        }
        let targets = included_files(self.db, ctx.file, range);
        let via = ctx.via.then(Location { file: ctx.file, range });
        for &target in targets {
            // An include cycle is reported elsewhere; here it just stops.
            if target == ctx.file || ctx.via.iter().any(|l| l.file == target) {
                continue;
            }
            let inner = Context { file: target, via: via.clone(), stacked: None, ..ctx.clone() };
            self.include_depth += 1;
            self.splice(&inner);
            self.include_depth -= 1;
        }
    }

    /// Reads the included file `ctx.file` through its shared fragment.
    fn splice(&mut self, ctx: &Context) {
        let (db, variables) = (self.db, self.variables);
        let view = *self.views.entry(ctx.file).or_insert_with(|| variable_view(db, ctx.file, variables));
        let mut tree = None;
        for item in &fragment(db, ctx.file, view).items {
            match item {
                FragmentItem::Rule { range, qualifiers, kind } => {
                    if let Some(index) = ctx.profile {
                        self.profiles[index].rules.push(Rule {
                            origin: ctx.origin(*range),
                            qualifiers: merge(ctx.qualifiers, *qualifiers),
                            kind: kind.clone(),
                        });
                    }
                }
                FragmentItem::Deferred { kind, range, qualifiers } => {
                    let root = tree.get_or_insert_with(|| parse(db, ctx.file).syntax_node());
                    let Some(node) = find_node(root, *kind, *range) else {
                        continue;
                    };
                    let inner = Context { qualifiers: merge(ctx.qualifiers, *qualifiers), ..ctx.clone() };
                    match kind {
                        PROFILE | HAT => self.profile(&node, &inner),
                        _ => self.rule(&node, &inner),
                    }
                }
                FragmentItem::Include { range, qualifiers } => {
                    let inner = Context { qualifiers: merge(ctx.qualifiers, *qualifiers), ..ctx.clone() };
                    self.include(*range, &inner);
                }
            }
        }
    }

    fn profile(&mut self, node: &SyntaxNode, ctx: &Context) {
        let Some(profile) = ast::Profile::cast(node.clone()) else {
            return;
        };
        let depth = std::iter::successors(ctx.profile, |&i| self.profiles[i].parent).count();
        if depth >= MAX_PROFILE_DEPTH {
            let message = format!(
                "profiles nested more than {MAX_PROFILE_DEPTH} deep; this one and what is inside it are not read"
            );
            let range = profile.name().map(|n| n.syntax().text_range()).unwrap_or(node.text_range());
            self.diagnostics.push((ctx.file, Diagnostic::error("nesting-too-deep", message, range)));
            return;
        }
        let raw_name = profile.name().map(|v| unquote(&v.text())).unwrap_or_default();
        let parent_name = ctx.profile.map(|i| self.profiles[i].name.clone());
        // The per-profile variables are not defined in the profile's own
        // header (`reference_diagnostics` reports them there).
        let builtin = |_: &str| None;
        let name = self.variables.expand(&raw_name, &builtin).unwrap_or(raw_name.clone());
        let attachment = match profile.attachment() {
            Some(value) => self.variables.expand(&unquote(&value.text()), &builtin).ok(),
            None if name.starts_with('/') => Some(name.clone()),
            None => None,
        };
        let kind = match (profile.is_hat(), ctx.profile) {
            (true, _) => ProfileKind::Hat,
            (false, Some(_)) => ProfileKind::Child,
            (false, None) => ProfileKind::TopLevel,
        };
        let full_name = match (&parent_name, kind) {
            (Some(parent), ProfileKind::Hat | ProfileKind::Child) => format!("{parent}//{name}"),
            _ => name,
        };
        let index = self.profiles.len();
        self.profiles.push(Profile {
            name: full_name,
            kind,
            parent: ctx.profile,
            attachment,
            // Variables in flag values (`attach_disconnected.path=@{x}`) are expanded.
            flags: profile
                .flags()
                .map(|f| f.values().map(|v| self.variables.expand(&v, &builtin).unwrap_or(v)).collect())
                .unwrap_or_default(),
            origin: ctx.origin(node.text_range()),
            rules: Vec::new(),
        });
        if let Some(body) = profile.body() {
            let inner = Context { profile: Some(index), qualifiers: Qualifiers::default(), ..ctx.clone() };
            self.items(body.syntax(), &inner);
            self.directives(node.text_range(), &inner);
        }
    }

    /// Adds a rule written in `ctx.file` to the current profile.
    fn rule(&mut self, node: &SyntaxNode, ctx: &Context) {
        let Some(index) = ctx.profile else { return };
        let profile = &self.profiles[index];
        let builtin = |var: &str| match var {
            "profile_name" => Some(profile.name.clone()),
            "attach_path" | "exec_path" => profile.attachment.clone(),
            _ => None,
        };
        let too_large = Cell::new(false);
        let built = build_rule(self.variables, node, ctx.qualifiers, &builtin, &too_large);
        if too_large.get() {
            let message = format!(
                "the variables of this rule expand to more than {} KiB of text; the rule is kept as written",
                crate::variables::MAX_EXPANDED_LEN >> 10
            );
            self.diagnostics.push((ctx.file, Diagnostic::error("variable-too-large", message, node.text_range())));
        }
        if let Some((qualifiers, kind)) = built {
            let rule = Rule { origin: ctx.origin(node.text_range()), qualifiers, kind: Arc::new(kind) };
            self.profiles[index].rules.push(rule);
        }
    }
}

/// The branch of an `if` statement that `table` selects: the nodes whose
/// items apply (`else if ...` is a nested IF_STMT, `else { }` a BLOCK).
fn taken_branch(table: &Variables, node: &SyntaxNode, language: &Language) -> Vec<SyntaxNode> {
    let condition = node.children().find(|n| is_expr(n.kind()));
    if condition.is_some_and(|c| eval(table, &c, language)) {
        return node.children().filter(|n| n.kind() == BLOCK).take(1).collect();
    }
    match node.children().find(|n| n.kind() == ELSE_BRANCH) {
        Some(branch) => {
            let block = branch.children().find(|n| n.kind() == BLOCK);
            std::iter::once(branch).chain(block).collect()
        }
        None => Vec::new(),
    }
}

fn eval(table: &Variables, node: &SyntaxNode, language: &Language) -> bool {
    let operands: Vec<SyntaxNode> = node.children().filter(|n| is_expr(n.kind())).collect();
    match node.kind() {
        OR_EXPR => operands.iter().any(|o| eval(table, o, language)),
        AND_EXPR => operands.iter().all(|o| eval(table, o, language)),
        NOT_EXPR => !operands.first().is_some_and(|o| eval(table, o, language)),
        PAREN_EXPR => operands.first().is_some_and(|o| eval(table, o, language)),
        COMPARE_EXPR => crate::checks::compare(node, table).unwrap_or(false),
        DEFINED_EXPR => node.children_with_tokens().filter_map(|e| e.into_token()).any(|t| match t.kind() {
            VARIABLE => {
                let text = t.text();
                table.sets.contains_key(&text[2..text.len() - 1])
            }
            BOOL_VARIABLE => match language.defined_boolean {
                DefinedBoolean::IsDefined => table.bools.contains_key(&bool_name(t.text())),
                DefinedBoolean::Value => table.bools.get(&bool_name(t.text())).is_some_and(|b| b.value),
                DefinedBoolean::NeverSet => false,
            },
            WORD => t.text().starts_with('@') && table.sets.contains_key(&t.text()[1..]),
            _ => false,
        }),
        ATOM_EXPR => node
            .children_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| t.kind() == BOOL_VARIABLE)
            .is_some_and(|t| table.bools.get(&bool_name(t.text())).is_some_and(|b| b.value)),
        _ => false,
    }
}

/// The qualifiers of a `QUALIFIED_BLOCK` applied inside `outer`.
fn block_qualifiers(node: &SyntaxNode, outer: Qualifiers) -> Qualifiers {
    match node.children().find(|n| n.kind() == QUALIFIERS) {
        Some(q) => merge(outer, qualifiers(&q)),
        None => outer,
    }
}

/// A rule's qualifiers (merged into `outer`) and meaning, values expanded
/// with `table`; `builtin` answers the per-profile variables. An expansion
/// error is reported by `reference_diagnostics`; the model keeps the text
/// as written.
fn build_rule(
    table: &Variables,
    node: &SyntaxNode,
    outer: Qualifiers,
    builtin: &dyn Fn(&str) -> Option<String>,
    too_large: &Cell<bool>,
) -> Option<(Qualifiers, RuleKind)> {
    let rule = ast::Rule::cast(node.clone())?;
    let expand = |text: &str| {
        let text = unquote(text);
        match table.expand(&text, builtin) {
            Ok(expanded) => expanded,
            Err(error) => {
                if error == crate::variables::ExpandError::TooLong {
                    too_large.set(true);
                }
                text
            }
        }
    };
    let own = rule.qualifiers().map(|q| qualifiers(q.syntax())).unwrap_or_default();
    let value_text = |n: &SyntaxNode| n.children().find(|c| c.kind() == VALUE).map(|v| expand(&v.text().to_string()));
    let target = rule.target().map(|t| expand(&t.text()));
    let kind = match node.kind() {
        FILE_RULE => {
            let tokens: Vec<SyntaxKind> =
                node.children_with_tokens().filter_map(|e| e.into_token()).map(|t| t.kind()).collect();
            let exec_safety = if tokens.contains(&SAFE_KW) {
                Some(true)
            } else if tokens.contains(&UNSAFE_KW) {
                Some(false)
            } else {
                None
            };
            RuleKind::File {
                path: value_text(node),
                perms: rule.perms().map(|t| t.text().to_string()).unwrap_or_default(),
                target,
                exec_safety,
            }
        }
        LINK_RULE => RuleKind::Link {
            subset: node.children_with_tokens().any(|e| e.kind() == SUBSET_KW),
            path: value_text(node).unwrap_or_default(),
            target: target.unwrap_or_default(),
        },
        CAPABILITY_RULE => RuleKind::Capability {
            names: node
                .children_with_tokens()
                .filter_map(|e| e.into_token())
                .filter(|t| t.kind() == WORD)
                .map(|t| t.text().to_string())
                .collect(),
        },
        CHANGE_PROFILE_RULE => RuleKind::ChangeProfile { exec: value_text(node), target },
        RLIMIT_RULE => {
            let mut words = node.children_with_tokens().filter(|e| matches!(e.kind(), WORD | VALUE));
            RuleKind::Rlimit {
                resource: words.next().map(|e| e.to_string()).unwrap_or_default(),
                value: words.map(|e| e.to_string()).collect::<Vec<_>>().join(" "),
            }
        }
        ALL_RULE => RuleKind::All,
        class => {
            let mut access = Vec::new();
            let mut words = Vec::new();
            let mut conditions = Vec::new();
            for child in node.children() {
                match child.kind() {
                    ACCESS => access.extend(list_values(&child).into_iter().map(|v| expand(&v))),
                    VALUE => words.push(expand(&child.text().to_string())),
                    CONDITION | CONDITION_GROUP => conditions.push(condition(&child, &expand)),
                    _ => {}
                }
            }
            RuleKind::Other { class, access, words, conditions }
        }
    };
    Some((merge(outer, own), kind))
}

fn condition(node: &SyntaxNode, expand: &dyn Fn(&str) -> String) -> Condition {
    let name = node.first_token().map(|t| t.text().to_string()).unwrap_or_default();
    let values = node
        .children()
        .filter(|c| matches!(c.kind(), VALUE | VALUE_LIST))
        .flat_map(|c| if c.kind() == VALUE { vec![c.text().to_string()] } else { list_values(&c) })
        .map(|v| expand(&v))
        .collect();
    let group = node.children().filter(|c| c.kind() == CONDITION).map(|c| condition(&c, expand)).collect();
    Condition { name, values, group }
}

fn is_expr(kind: SyntaxKind) -> bool {
    matches!(kind, OR_EXPR | AND_EXPR | NOT_EXPR | DEFINED_EXPR | COMPARE_EXPR | PAREN_EXPR | ATOM_EXPR)
}

/// The items of an access list or value list (`(send, receive)` or `send`).
fn list_values(node: &SyntaxNode) -> Vec<String> {
    let mut values = Vec::new();
    for element in node.descendants_with_tokens() {
        match element {
            aa_syntax::NodeOrToken::Node(n) if n.kind() == VALUE => values.push(n.text().to_string()),
            aa_syntax::NodeOrToken::Token(t) if t.kind() == WORD && t.parent().is_some_and(|p| p.kind() != VALUE) => {
                values.push(t.text().to_string())
            }
            _ => {}
        }
    }
    values
}

fn qualifiers(node: &SyntaxNode) -> Qualifiers {
    let mut q = Qualifiers::default();
    for element in node.children_with_tokens() {
        match element.kind() {
            AUDIT_KW => q.audit = true,
            DENY_KW => q.mode = RuleMode::Deny,
            PROMPT_KW => q.mode = RuleMode::Prompt,
            OWNER_KW => q.owner = Owner::Owner,
            OTHER_KW => q.owner = Owner::Other,
            PRIORITY => {
                q.priority = element
                    .as_node()
                    .and_then(|n| n.children().find(|c| c.kind() == VALUE))
                    .and_then(|v| v.text().to_string().parse().ok())
            }
            _ => {}
        }
    }
    q
}

/// A block's qualifiers apply to the rules inside; a rule's own win.
fn merge(outer: Qualifiers, inner: Qualifiers) -> Qualifiers {
    Qualifiers {
        audit: outer.audit || inner.audit,
        mode: if inner.mode != RuleMode::Allow { inner.mode } else { outer.mode },
        owner: if inner.owner != Owner::Any { inner.owner } else { outer.owner },
        priority: inner.priority.or(outer.priority),
    }
}
