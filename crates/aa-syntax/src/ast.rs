//! Typed views over the untyped tree: each struct wraps a `SyntaxNode` of
//! one kind and offers accessors for its parts. They never fail on broken
//! trees; a missing part is `None`.

use crate::{NodeOrToken, SyntaxKind, SyntaxKind::*, SyntaxNode, SyntaxToken};

pub trait AstNode: Sized {
    fn can_cast(kind: SyntaxKind) -> bool;
    fn cast(node: SyntaxNode) -> Option<Self>;
    fn syntax(&self) -> &SyntaxNode;
}

macro_rules! ast_node {
    ($(#[$meta:meta])* $name:ident, $kind:pat) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name {
            pub(crate) syntax: SyntaxNode,
        }

        impl AstNode for $name {
            fn can_cast(kind: SyntaxKind) -> bool {
                matches!(kind, $kind)
            }
            fn cast(node: SyntaxNode) -> Option<Self> {
                Self::can_cast(node.kind()).then(|| $name { syntax: node })
            }
            fn syntax(&self) -> &SyntaxNode {
                &self.syntax
            }
        }
    };
}

fn child<N: AstNode>(node: &SyntaxNode) -> Option<N> {
    node.children().find_map(N::cast)
}

fn children<N: AstNode>(node: &SyntaxNode) -> impl Iterator<Item = N> {
    node.children().filter_map(N::cast)
}

fn token(node: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxToken> {
    node.children_with_tokens().filter_map(|e| e.into_token()).find(|t| t.kind() == kind)
}

ast_node!(SourceFile, SOURCE_FILE);
ast_node!(
    /// `include <x>`, `#include "x"`, `include if exists <x>`.
    Include, INCLUDE
);
ast_node!(Abi, ABI);
ast_node!(Alias, ALIAS);
ast_node!(
    /// `@{name} = values` or `@{name} += values`.
    VariableDef, VARIABLE_DEF
);
ast_node!(BoolDef, BOOL_DEF);
ast_node!(
    /// A profile, or a hat (`^name { }` / `hat name { }`).
    Profile, PROFILE | HAT
);
ast_node!(Block, BLOCK);
ast_node!(IfStmt, IF_STMT);
ast_node!(
    /// A glued value: a path, a name, a condition value.
    Value, VALUE
);
ast_node!(Flags, FLAGS);
ast_node!(Condition, CONDITION | CONDITION_GROUP);
ast_node!(Qualifiers, QUALIFIERS);
ast_node!(
    /// Any rule: file, link, capability, network, ... (`SyntaxKind::is_rule`).
    Rule, FILE_RULE | LINK_RULE | CAPABILITY_RULE | NETWORK_RULE | UNIX_RULE | DBUS_RULE
        | MOUNT_RULE | REMOUNT_RULE | UMOUNT_RULE | PIVOT_ROOT_RULE | PTRACE_RULE
        | SIGNAL_RULE | RLIMIT_RULE | CHANGE_PROFILE_RULE | MQUEUE_RULE | IO_URING_RULE
        | USERNS_RULE | ALL_RULE
);

/// A statement of a file or a body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    Include(Include),
    Abi(Abi),
    Alias(Alias),
    VariableDef(VariableDef),
    BoolDef(BoolDef),
    Profile(Profile),
    If(IfStmt),
    /// `audit { ... }`: the block's rules inherit the qualifiers.
    QualifiedBlock(SyntaxNode),
    Rule(Rule),
    Error(SyntaxNode),
}

impl Item {
    fn cast(node: SyntaxNode) -> Option<Item> {
        Some(match node.kind() {
            INCLUDE => Item::Include(Include { syntax: node }),
            ABI => Item::Abi(Abi { syntax: node }),
            ALIAS => Item::Alias(Alias { syntax: node }),
            VARIABLE_DEF => Item::VariableDef(VariableDef { syntax: node }),
            BOOL_DEF => Item::BoolDef(BoolDef { syntax: node }),
            PROFILE | HAT => Item::Profile(Profile { syntax: node }),
            IF_STMT => Item::If(IfStmt { syntax: node }),
            QUALIFIED_BLOCK => Item::QualifiedBlock(node),
            ERROR => Item::Error(node),
            kind if kind.is_rule() => Item::Rule(Rule { syntax: node }),
            _ => return None,
        })
    }

    pub fn syntax(&self) -> &SyntaxNode {
        match self {
            Item::Include(it) => &it.syntax,
            Item::Abi(it) => &it.syntax,
            Item::Alias(it) => &it.syntax,
            Item::VariableDef(it) => &it.syntax,
            Item::BoolDef(it) => &it.syntax,
            Item::Profile(it) => &it.syntax,
            Item::If(it) => &it.syntax,
            Item::Rule(it) => &it.syntax,
            Item::QualifiedBlock(node) | Item::Error(node) => node,
        }
    }
}

fn items(node: &SyntaxNode) -> impl Iterator<Item = Item> {
    node.children().filter_map(Item::cast)
}

impl SourceFile {
    pub fn items(&self) -> impl Iterator<Item = Item> {
        items(&self.syntax)
    }
}

impl Block {
    pub fn items(&self) -> impl Iterator<Item = Item> {
        items(&self.syntax)
    }
}

impl Include {
    /// `include if exists`: a missing file is not an error.
    pub fn if_exists(&self) -> bool {
        token(&self.syntax, EXISTS_KW).is_some()
    }

    /// Whether the target is `<searched>` rather than `"relative"`/bare.
    pub fn is_search_path(&self) -> bool {
        self.target_node().is_some_and(|t| t.first_token().is_some_and(|t| t.kind() == LT))
    }

    fn target_node(&self) -> Option<SyntaxNode> {
        self.syntax.children().find(|n| n.kind() == INCLUDE_TARGET)
    }

    /// The file name as written, without `<>` or quotes, blanks trimmed.
    pub fn target(&self) -> Option<String> {
        let node = self.target_node()?;
        let text = node.text().to_string();
        let inner =
            if let Some(rest) = text.strip_prefix('<') { rest.strip_suffix('>').unwrap_or(rest) } else { &text };
        let inner = inner.trim();
        let inner = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(inner);
        Some(inner.to_string())
    }
}

impl Abi {
    pub fn target(&self) -> Option<String> {
        Include { syntax: self.syntax.clone() }.target()
    }
}

impl VariableDef {
    /// The variable token (`@{name}` or `@name`).
    pub fn variable(&self) -> Option<SyntaxToken> {
        self.syntax.first_token()
    }

    /// The name without `@{` `}`.
    pub fn name(&self) -> Option<String> {
        let text = self.variable()?.text().to_string();
        let inner = text.strip_prefix("@{").and_then(|s| s.strip_suffix('}'));
        Some(inner.or_else(|| text.strip_prefix('@')).unwrap_or(&text).to_string())
    }

    /// `+=` rather than `=`.
    pub fn is_append(&self) -> bool {
        token(&self.syntax, PLUS_EQ).is_some()
    }

    pub fn values(&self) -> impl Iterator<Item = Value> {
        children(&self.syntax)
    }
}

impl Profile {
    pub fn is_hat(&self) -> bool {
        self.syntax.kind() == HAT
    }

    /// Whether the header says `profile` (required for child profiles).
    pub fn has_profile_keyword(&self) -> bool {
        token(&self.syntax, PROFILE_KW).is_some()
    }

    pub fn name(&self) -> Option<Value> {
        self.syntax.children().find(|n| n.kind() == PROFILE_NAME).and_then(|n| child(&n))
    }

    pub fn attachment(&self) -> Option<Value> {
        self.syntax.children().find(|n| n.kind() == ATTACHMENT).and_then(|n| child(&n))
    }

    pub fn flags(&self) -> Option<Flags> {
        child(&self.syntax)
    }

    pub fn body(&self) -> Option<Block> {
        child(&self.syntax)
    }
}

impl Flags {
    /// Each flag as written (`complain`, `attach_disconnected.path=/x`).
    pub fn values(&self) -> impl Iterator<Item = String> {
        self.syntax.children().filter(|n| n.kind() == FLAG).map(|n| n.text().to_string())
    }
}

impl Value {
    /// The text as written, quotes included.
    pub fn text(&self) -> String {
        self.syntax.text().to_string()
    }

    pub fn is_quoted(&self) -> bool {
        self.syntax.first_token().is_some_and(|t| t.kind() == STRING)
    }
}

impl Rule {
    pub fn kind(&self) -> SyntaxKind {
        self.syntax.kind()
    }

    pub fn qualifiers(&self) -> Option<Qualifiers> {
        child(&self.syntax)
    }

    /// The path of a file rule or the source of a link rule.
    pub fn path(&self) -> Option<Value> {
        child(&self.syntax)
    }

    /// The permission word of a file rule (`rw`, `Px`).
    pub fn perms(&self) -> Option<SyntaxToken> {
        self.syntax.children().find(|n| n.kind() == PERMS).and_then(|n| n.first_token())
    }

    /// The value after `->`.
    pub fn target(&self) -> Option<Value> {
        self.syntax.children().find(|n| n.kind() == TARGET).and_then(|n| child(&n))
    }

    pub fn conditions(&self) -> impl Iterator<Item = Condition> {
        children(&self.syntax)
    }

    /// Keyword and plain words after it (capability names, network family
    /// and type): the words that are not conditions.
    pub fn words(&self) -> impl Iterator<Item = String> {
        self.syntax.children_with_tokens().filter_map(|e| match e {
            NodeOrToken::Token(t) if t.kind() == WORD => Some(t.text().to_string()),
            NodeOrToken::Node(n) if n.kind() == VALUE => Some(n.text().to_string()),
            _ => None,
        })
    }
}

impl Qualifiers {
    pub fn keywords(&self) -> impl Iterator<Item = SyntaxToken> {
        self.syntax.children_with_tokens().filter_map(|e| e.into_token()).filter(|t| t.kind().is_keyword())
    }

    pub fn has(&self, kind: SyntaxKind) -> bool {
        self.keywords().any(|t| t.kind() == kind)
    }
}

impl Condition {
    /// The condition's name (`peer`, `bus`, `type`).
    pub fn name(&self) -> Option<String> {
        self.syntax.first_token().map(|t| t.text().to_string())
    }

    /// The single value, when not a list.
    pub fn value(&self) -> Option<Value> {
        child(&self.syntax)
    }
}
