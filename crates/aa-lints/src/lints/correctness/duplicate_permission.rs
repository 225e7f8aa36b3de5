use std::collections::HashSet;

use aa_syntax::{
    SyntaxKind::{ACCESS, CAPABILITY_RULE, VALUE, VALUE_LIST, WORD},
    SyntaxNode, TextRange, TextSize,
    ast::{self, AstNode},
};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A permission written twice in one rule: a capability name repeated in
    /// a `capability` rule (`capability chown chown,`), a letter repeated in
    /// a file rule's permissions (`/etc/example.conf rr,`), or an access
    /// word repeated in a `signal`, `ptrace`, `unix`, `dbus`, `mqueue` or
    /// other rule's access list (`ptrace (read read),`).
    ///
    /// ## Why it matters
    ///
    /// `apparmor_parser` accepts the repetition and grants the permission
    /// once, so the second copy does nothing. It is usually a slip for a
    /// different permission (`chown chown` for `chown fowner`): the rule
    /// does not grant what its author meant.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   capability chown chown,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   capability chown,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: removes the repeated copy (the rule grants the same).
    pub static DUPLICATE_PERMISSION = {
        code: "AA212",
        name: "duplicate-permission",
        group: Correctness,
        level: Warn,
        fix: Safe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for rule in tree.descendants().filter_map(ast::Rule::cast) {
        let node = rule.syntax();
        if node.kind() == CAPABILITY_RULE {
            let words: Vec<_> =
                node.children_with_tokens().filter_map(|e| e.into_token()).filter(|t| t.kind() == WORD).collect();
            let mut seen = HashSet::new();
            for (i, word) in words.iter().enumerate() {
                if seen.insert(word.text().to_string()) || i == 0 {
                    continue;
                }
                let removal = TextRange::new(words[i - 1].text_range().end(), word.text_range().end());
                report(ctx, sink, "capability", word.text(), word.text_range(), removal);
            }
        }
        if let Some(perms) = rule.perms() {
            let text = perms.text();
            let mut seen = HashSet::new();
            let mut kept = String::new();
            let mut repeated = Vec::new();
            for c in text.chars() {
                if seen.insert(c) {
                    kept.push(c);
                } else {
                    repeated.push(c);
                }
            }
            if !repeated.is_empty() {
                let letters: String = repeated.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
                sink.report(
                    format!(
                        "`{text}` repeats {letters}: a permission written twice is granted once; was another one meant?"
                    ),
                    ctx.root,
                    perms.text_range(),
                )
                .with_fix(
                    Applicability::Safe,
                    format!("write `{kept}`"),
                    vec![TextEdit { file: ctx.root, range: perms.text_range(), new_text: kept }],
                );
            }
        }
        for access in node.children().filter(|n| n.kind() == ACCESS) {
            for list in access.children().filter(|n| n.kind() == VALUE_LIST) {
                for (value, removal) in repeated_values(&list) {
                    report(ctx, sink, "access", &value.text().to_string(), value.text_range(), removal);
                }
            }
        }
    }
}

fn report(ctx: &LintContext<'_>, sink: &mut Sink<'_>, what: &str, word: &str, range: TextRange, removal: TextRange) {
    sink.report(
        format!(
            "{what} `{word}` is written twice in this rule: the second copy grants nothing; was another one meant?"
        ),
        ctx.root,
        range,
    )
    .with_fix(
        Applicability::Safe,
        format!("remove the second `{word}`"),
        vec![TextEdit { file: ctx.root, range: removal, new_text: String::new() }],
    );
}

/// The values of a `( ... )` list that repeat an earlier one, each with the
/// range that removes it (from the end of the value before it).
pub(crate) fn repeated_values(list: &SyntaxNode) -> Vec<(SyntaxNode, TextRange)> {
    let values: Vec<_> = list.children().filter(|n| n.kind() == VALUE).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if seen.insert(value.text().to_string()) || i == 0 {
            continue;
        }
        let start: TextSize = values[i - 1].text_range().end();
        out.push((value.clone(), TextRange::new(start, value.text_range().end())));
    }
    out
}
