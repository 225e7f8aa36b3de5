//! The resolved policy: every profile, hat and child profile of a policy
//! file with its rules, after includes are spliced in, variables expanded,
//! conditionals decided and qualifier blocks distributed. Each rule keeps
//! where it was written and the chain of includes that brought it in, so a
//! finding inside an abstraction can point at both.

use aa_syntax::{
    SyntaxKind::{self, *},
    SyntaxNode, TextRange,
    ast::{self, AstNode},
};

use crate::{
    db::{Db, File},
    includes::{file_includes, parse},
    variables::{Location, Variables, bool_name, unquote, variables},
};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyModel {
    pub profiles: Vec<Profile>,
}

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
    pub via: Vec<Location>,
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
    pub kind: RuleKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// `path perms [-> target]`, or `file,` (path `None`: every file).
    File { path: Option<String>, perms: String, target: Option<String>, exec_safety: Option<bool> },
    Link { subset: bool, path: String, target: String },
    Capability { names: Vec<String> },
    ChangeProfile { exec: Option<String>, target: Option<String> },
    Rlimit { resource: String, value: String },
    All,
    /// network, unix, dbus, signal, ptrace, mount, umount, remount,
    /// pivot_root, mqueue, io_uring, userns: the access words, the plain
    /// words and the conditions, values expanded.
    Other { class: SyntaxKind, access: Vec<String>, words: Vec<String>, conditions: Vec<Condition> },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Condition {
    pub name: String,
    pub values: Vec<String>,
    /// `peer=( ... )`: the nested conditions.
    pub group: Vec<Condition>,
}

#[salsa::tracked(returns(ref))]
pub fn policy_model(db: &dyn Db, root: File) -> PolicyModel {
    let mut builder = Builder { db, variables: variables(db, root), profiles: Vec::new(), include_depth: 0 };
    let tree = parse(db, root).tree();
    let ctx = Context { file: root, via: Vec::new(), profile: None, qualifiers: Qualifiers::default() };
    builder.items(tree.syntax(), &ctx);
    PolicyModel { profiles: builder.profiles }
}

struct Builder<'db> {
    db: &'db dyn Db,
    variables: &'db Variables,
    profiles: Vec<Profile>,
    include_depth: usize,
}

#[derive(Clone)]
struct Context {
    file: File,
    via: Vec<Location>,
    profile: Option<usize>,
    qualifiers: Qualifiers,
}

impl Context {
    fn origin(&self, range: TextRange) -> Origin {
        Origin { location: Location { file: self.file, range }, via: self.via.clone() }
    }
}

impl Builder<'_> {
    fn items(&mut self, parent: &SyntaxNode, ctx: &Context) {
        for node in parent.children() {
            match node.kind() {
                PROFILE | HAT => self.profile(&node, ctx),
                INCLUDE => self.include(&node, ctx),
                IF_STMT => self.conditional(&node, ctx),
                QUALIFIED_BLOCK => {
                    let mut inner = ctx.clone();
                    if let Some(q) = node.children().find(|n| n.kind() == QUALIFIERS) {
                        inner.qualifiers = merge(ctx.qualifiers, qualifiers(&q));
                    }
                    if let Some(block) = node.children().find(|n| n.kind() == BLOCK) {
                        self.items(&block, &inner);
                    }
                }
                kind if kind.is_rule() => {
                    if let Some(index) = ctx.profile {
                        if let Some(rule) = self.rule(&node, ctx) {
                            self.profiles[index].rules.push(rule);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn include(&mut self, node: &SyntaxNode, ctx: &Context) {
        if self.include_depth >= crate::includes::MAX_INCLUDE_DEPTH {
            return;
        }
        let range = node.text_range();
        let targets: Vec<File> = file_includes(self.db, ctx.file)
            .iter()
            .filter(|include| include.range == range)
            .flat_map(|include| include.files.iter().copied())
            .collect();
        for target in targets {
            // An include cycle is reported elsewhere; here it just stops.
            if target == ctx.file || ctx.via.iter().any(|l| l.file == target) {
                continue;
            }
            let mut inner = ctx.clone();
            inner.via.push(Location { file: ctx.file, range });
            inner.file = target;
            let tree = parse(self.db, target).tree();
            self.include_depth += 1;
            self.items(tree.syntax(), &inner);
            self.include_depth -= 1;
        }
    }

    fn conditional(&mut self, node: &SyntaxNode, ctx: &Context) {
        let condition = node.children().find(|n| is_expr(n.kind()));
        let taken = condition.map(|c| self.eval(&c)).unwrap_or(false);
        if taken {
            if let Some(block) = node.children().find(|n| n.kind() == BLOCK) {
                self.items(&block, ctx);
            }
        } else if let Some(branch) = node.children().find(|n| n.kind() == ELSE_BRANCH) {
            // `else if ...` is a nested IF_STMT, `else { }` a BLOCK.
            self.items(&branch, ctx);
            if let Some(block) = branch.children().find(|n| n.kind() == BLOCK) {
                self.items(&block, ctx);
            }
        }
    }

    fn eval(&self, node: &SyntaxNode) -> bool {
        let operands: Vec<SyntaxNode> = node.children().filter(|n| is_expr(n.kind())).collect();
        match node.kind() {
            OR_EXPR => operands.iter().any(|o| self.eval(o)),
            AND_EXPR => operands.iter().all(|o| self.eval(o)),
            NOT_EXPR => !operands.first().is_some_and(|o| self.eval(o)),
            PAREN_EXPR => operands.first().is_some_and(|o| self.eval(o)),
            DEFINED_EXPR => node.children_with_tokens().filter_map(|e| e.into_token()).any(|t| match t.kind() {
                VARIABLE => {
                    let text = t.text();
                    self.variables.sets.contains_key(&text[2..text.len() - 1])
                }
                BOOL_VARIABLE => self.variables.bools.contains_key(&bool_name(t.text())),
                WORD => t.text().starts_with('@') && self.variables.sets.contains_key(&t.text()[1..]),
                _ => false,
            }),
            ATOM_EXPR => node
                .children_with_tokens()
                .filter_map(|e| e.into_token())
                .find(|t| t.kind() == BOOL_VARIABLE)
                .is_some_and(|t| self.variables.bools.get(&bool_name(t.text())).is_some_and(|b| b.value)),
            _ => false,
        }
    }

    fn profile(&mut self, node: &SyntaxNode, ctx: &Context) {
        let Some(profile) = ast::Profile::cast(node.clone()) else { return };
        let raw_name = profile.name().map(|v| unquote(&v.text())).unwrap_or_default();
        let parent_name = ctx.profile.map(|i| self.profiles[i].name.clone());
        let builtin_name = raw_name.clone();
        let builtin = move |var: &str| (var == "profile_name").then(|| builtin_name.clone());
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
            flags: profile.flags().map(|f| f.values().collect()).unwrap_or_default(),
            origin: ctx.origin(node.text_range()),
            rules: Vec::new(),
        });
        if let Some(body) = profile.body() {
            let mut inner = ctx.clone();
            inner.profile = Some(index);
            inner.qualifiers = Qualifiers::default();
            self.items(body.syntax(), &inner);
        }
    }

    fn expand(&self, text: &str, ctx: &Context) -> String {
        let text = unquote(text);
        let profile = ctx.profile.map(|i| &self.profiles[i]);
        let builtin = |var: &str| match var {
            "profile_name" => profile.map(|p| p.name.clone()),
            "attach_path" | "exec_path" => profile.and_then(|p| p.attachment.clone()),
            _ => None,
        };
        // An expansion error is reported by `reference_diagnostics`; the
        // model keeps the text as written.
        self.variables.expand(&text, &builtin).unwrap_or(text)
    }

    fn rule(&self, node: &SyntaxNode, ctx: &Context) -> Option<Rule> {
        let rule = ast::Rule::cast(node.clone())?;
        let own = rule.qualifiers().map(|q| qualifiers(q.syntax())).unwrap_or_default();
        let qualifiers = merge(ctx.qualifiers, own);
        let value_text = |n: &SyntaxNode| n.children().find(|c| c.kind() == VALUE).map(|v| self.expand(&v.text().to_string(), ctx));
        let target = rule.target().map(|t| self.expand(&t.text(), ctx));
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
                        ACCESS => access.extend(list_values(&child).into_iter().map(|v| self.expand(&v, ctx))),
                        VALUE => words.push(self.expand(&child.text().to_string(), ctx)),
                        CONDITION | CONDITION_GROUP => conditions.push(self.condition(&child, ctx)),
                        _ => {}
                    }
                }
                RuleKind::Other { class, access, words, conditions }
            }
        };
        Some(Rule { origin: ctx.origin(node.text_range()), qualifiers, kind })
    }

    fn condition(&self, node: &SyntaxNode, ctx: &Context) -> Condition {
        let name = node.first_token().map(|t| t.text().to_string()).unwrap_or_default();
        let values = node
            .children()
            .filter(|c| matches!(c.kind(), VALUE | VALUE_LIST))
            .flat_map(|c| if c.kind() == VALUE { vec![c.text().to_string()] } else { list_values(&c) })
            .map(|v| self.expand(&v, ctx))
            .collect();
        let group = node.children().filter(|c| c.kind() == CONDITION).map(|c| self.condition(&c, ctx)).collect();
        Condition { name, values, group }
    }
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
