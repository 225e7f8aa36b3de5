//! Syntax checks that are simpler on the finished tree than in the parser:
//! the parser accepts qualifiers in any order, any word as permissions and
//! any mix of words and conditions in a rule; here we report what
//! `apparmor_parser`'s grammar would reject.

use rowan::{GreenNodeData, TextRange, TextSize};

use crate::{NodeOrToken, SyntaxError, SyntaxKind, SyntaxKind::*, SyntaxNode, SyntaxToken, grammar::is_file_mode};

pub(crate) fn validate(root: &SyntaxNode, errors: &mut Vec<SyntaxError>) {
    // Walk the green tree, which costs no allocation, and build a red
    // (positioned) node only for the few kinds the checks below inspect;
    // a `descendants()` walk allocating a red node per node was a sixth of
    // the parse time.
    let root_green = root.green();
    let mut stack: Vec<(&GreenNodeData, TextSize)> = vec![(&*root_green, TextSize::from(0))];
    while let Some((green, offset)) = stack.pop() {
        let kind = SyntaxKind::from_raw(green.kind().0);
        if kind == PERMS {
            // Every file rule has one: checked on the green node directly.
            if let Some(NodeOrToken::Token(token)) = green.children().next() {
                file_permissions(token.text(), offset, errors);
            }
            continue;
        }
        let check: Option<fn(&SyntaxNode, &mut Vec<SyntaxError>)> = match kind {
            QUALIFIERS => Some(qualifier_order),
            kind if kind.is_rule() && shape(kind).is_some() => Some(rule_shape),
            _ => None,
        };
        if let Some(check) = check {
            let node = SyntaxNode::new_root(green.to_owned());
            let first_new = errors.len();
            check(&node, errors);
            for error in &mut errors[first_new..] {
                error.range += offset;
            }
        }
        if !descends_into(kind) {
            continue;
        }
        let mut child_offset = offset;
        for child in green.children() {
            if let NodeOrToken::Node(node) = child {
                stack.push((node, child_offset));
            }
            child_offset += child.text_len();
        }
    }
}

/// Nodes that can hold what `validate` checks: statements, blocks, rules.
fn descends_into(kind: SyntaxKind) -> bool {
    matches!(kind, SOURCE_FILE | PROFILE | HAT | BLOCK | QUALIFIED_BLOCK | IF_STMT | ELSE_BRANCH | ERROR)
        || kind.is_rule()
}

/// Whether a `STRING` token has its closing, unescaped quote.
pub(crate) fn is_terminated_string(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 2 || bytes[bytes.len() - 1] != b'"' {
        return false;
    }
    // The closing quote must not itself be escaped: count the backslashes before it.
    let backslashes = bytes[1..bytes.len() - 1].iter().rev().take_while(|&&b| b == b'\\').count();
    backslashes % 2 == 0
}

/// `apparmor_parser` takes `priority=N`, then `audit`, then one of
/// `allow`/`deny`/`prompt`, then one of `owner`/`other`, each at most once.
fn qualifier_order(node: &SyntaxNode, errors: &mut Vec<SyntaxError>) {
    let mut last_rank = 0;
    for element in node.children_with_tokens() {
        let (rank, range, text) = match &element {
            NodeOrToken::Node(n) if n.kind() == PRIORITY => (1, n.text_range(), "priority"),
            NodeOrToken::Token(t) => match qualifier_rank(t.kind()) {
                Some(rank) => (rank, t.text_range(), t.text()),
                None => continue,
            },
            _ => continue,
        };
        if rank == last_rank {
            errors.push(SyntaxError::new(format!("`{text}` conflicts with the qualifier before it"), range));
        } else if rank < last_rank {
            errors.push(SyntaxError::new(
                format!(
                    "`{text}` is out of order: qualifiers go `priority=N`, `audit`, \
                     `allow`/`deny`/`prompt`, `owner`/`other`"
                ),
                range,
            ));
        }
        last_rank = last_rank.max(rank);
    }
}

fn qualifier_rank(kind: SyntaxKind) -> Option<u8> {
    Some(match kind {
        AUDIT_KW => 2,
        ALLOW_KW | DENY_KW | PROMPT_KW => 3,
        OWNER_KW | OTHER_KW => 4,
        _ => return None,
    })
}

/// `text` is the permission word of a file rule, starting at `offset`.
fn file_permissions(text: &str, offset: TextSize, errors: &mut Vec<SyntaxError>) {
    if !is_file_mode(text) {
        errors.push(SyntaxError::new(
            format!(
                "`{text}` is not a file permission: expected letters from `rwalkmx` \
                 and exec modes such as `ix`, `px`, `Px`, `cx`, `ux`"
            ),
            TextRange::at(offset, TextSize::of(text)),
        ));
    }
}

/// What may follow the keyword of each non-file rule, in the order of
/// `apparmor_parser`'s grammar: an access list, plain words, conditions.
struct Shape {
    access: bool,
    /// Plain words allowed before the conditions (`network inet stream`).
    leading_words: usize,
    /// Plain words allowed after the conditions (a mount point, a queue name).
    trailing_words: usize,
    arrow: bool,
}

fn shape(kind: SyntaxKind) -> Option<Shape> {
    let shape = |access, leading_words, trailing_words, arrow| Shape { access, leading_words, trailing_words, arrow };
    Some(match kind {
        NETWORK_RULE => shape(true, 2, 0, false),
        UNIX_RULE | DBUS_RULE | SIGNAL_RULE | PTRACE_RULE | USERNS_RULE | IO_URING_RULE => shape(true, 0, 0, false),
        MQUEUE_RULE => shape(true, 0, 1, false),
        MOUNT_RULE | PIVOT_ROOT_RULE => shape(false, 0, 1, true),
        REMOUNT_RULE | UMOUNT_RULE => shape(false, 0, 1, false),
        _ => return None,
    })
}

fn rule_shape(node: &SyntaxNode, errors: &mut Vec<SyntaxError>) {
    let Some(shape) = shape(node.kind()) else { return };
    // Only needed for a message, so looked up only then.
    let keyword = || {
        node.children_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| t.kind().is_keyword())
            .map(|t| t.text().to_string())
            .unwrap_or_default()
    };
    let mut seen_condition = false;
    let mut leading = 0;
    // Words after the last condition (or after `->` for mount).
    let mut trailing = 0;
    let mut after_arrow = false;
    for child in node.children_with_tokens() {
        match child.kind() {
            ACCESS if !shape.access => {
                errors.push(SyntaxError::new(format!("`{}` rules take no access list", keyword()), child.text_range()))
            }
            CONDITION | CONDITION_GROUP => {
                seen_condition = true;
                if trailing > 0 && !after_arrow {
                    errors.push(SyntaxError::new(
                        format!("conditions of a `{}` rule go before its other words", keyword()),
                        child.text_range(),
                    ));
                }
            }
            ARROW if !shape.arrow => {
                errors.push(SyntaxError::new(format!("`->` is not part of a `{}` rule", keyword()), child.text_range()))
            }
            ARROW => {
                after_arrow = true;
                trailing = 0;
            }
            VALUE => {
                let too_many = if after_arrow {
                    trailing += 1;
                    trailing > 1
                } else if !seen_condition && leading < shape.leading_words {
                    leading += 1;
                    false
                } else {
                    trailing += 1;
                    trailing > shape.trailing_words
                };
                if too_many {
                    errors.push(SyntaxError::new(unexpected_word(&keyword(), &child), child.text_range()));
                }
            }
            _ => {}
        }
    }
}

fn unexpected_word(keyword: &str, element: &NodeOrToken<SyntaxNode, SyntaxToken>) -> String {
    let text = element.to_string();
    if keyword == "network" {
        format!("unexpected `{text}`: a `network` rule names at most a family and a type or protocol")
    } else {
        format!("unexpected `{text}` in a `{keyword}` rule")
    }
}
