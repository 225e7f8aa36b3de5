use std::path::PathBuf;

use aa_hir::{
    db::FileContent,
    default_tunables::BUILTIN_ROOT,
    includes::uses_builtin_tunables,
    variables::{file_references, variables},
};
use aa_syntax::{
    SyntaxKind::NEWLINE,
    TextRange,
    ast::{AstNode, Item},
};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A profile file that uses variables `tunables/global` defines
    /// (`@{HOME}`, `@{PROC}`, `@{pids}`, ...) without including it, so they
    /// are undefined. Reported once per file, at the first such use.
    ///
    /// ## Why it matters
    ///
    /// `apparmor_parser` refuses the whole file ("Found reference to
    /// variable HOME, but is never declared"). The undefined-variable
    /// finding names each variable; this one names the missing include.
    /// Abstractions, `local/` files, `NAME.d` drop-ins and the apparmor.d
    /// collection's `mappings/` are not flagged,
    /// even when they hold a hat or child profile: they get the tunables
    /// from the profile that includes them.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   owner @{HOME}/.example rw,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// include <tunables/global>
    /// profile example /usr/bin/example {
    ///   owner @{HOME}/.example rw,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Unsafe: inserts `include <tunables/global>` after the `abi` line (or
    /// before the first statement). The tunables also bring the system's
    /// aliases, which change what the profile's paths match.
    pub static MISSING_TUNABLES_GLOBAL = {
        code: "AA216",
        name: "missing-tunables-global",
        group: Correctness,
        level: Warn,
        fix: Unsafe,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    if !ctx.root_has_profiles() || in_library(ctx) {
        return;
    }
    let Some(global) = tunables_global(ctx) else {
        return;
    };
    if ctx.closure.files.contains(&global) {
        return;
    }
    let provided = &variables(ctx.db, global).sets;
    let mut missing: Vec<&str> = Vec::new();
    let mut first = None;
    for reference in file_references(ctx.db, ctx.root) {
        if reference.is_bool || reference.builtin_as_root || ctx.variables.sets.contains_key(&reference.name) {
            continue;
        }
        if !provided.contains_key(&reference.name) {
            continue;
        }
        first.get_or_insert(reference.range);
        if !missing.contains(&reference.name.as_str()) {
            missing.push(&reference.name);
        }
    }
    let Some(range) = first else {
        return;
    };
    let names: Vec<String> = missing.iter().map(|n| format!("`@{{{n}}}`")).collect();
    let d = sink.report(
        format!("{} come from `tunables/global`, which this file does not include", names.join(", ")),
        ctx.root,
        range,
    );
    let tree = ctx.parse(ctx.root).tree();
    let mut items = tree.items().filter(|i| !matches!(i, Item::Error(_)));
    let Some(first_item) = items.next() else {
        return;
    };
    let at = match &first_item {
        // After the abi line and its newline.
        Item::Abi(abi) => {
            let node = abi.syntax();
            match node.next_sibling_or_token() {
                Some(next) if next.kind() == NEWLINE => next.text_range().end(),
                _ => node.text_range().end(),
            }
        }
        other => other.syntax().text_range().start(),
    };
    let text = if matches!(first_item, Item::Abi(_)) {
        "\ninclude <tunables/global>\n"
    } else {
        "include <tunables/global>\n\n"
    };
    d.with_fix(
        Applicability::Unsafe,
        "add `include <tunables/global>`",
        vec![TextEdit { file: ctx.root, range: TextRange::empty(at), new_text: text.into() }],
    );
}

/// Abstractions, tunables, `local/` files and `NAME.d` drop-ins (as the CLI
/// and the server classify fragments): their variables come from the file
/// that includes them, even when they hold a hat or child profile.
fn in_library(ctx: &LintContext<'_>) -> bool {
    let path = ctx.root.path(ctx.db);
    path.parent().is_some_and(|dir| {
        dir.components().any(|c| match c.as_os_str().to_str() {
            // `mappings/`: the apparmor.d collection's snippets for profile bodies.
            Some("abstractions" | "tunables" | "local" | "abi" | "mappings") => true,
            Some(name) => name.ends_with(".d") && name != "apparmor.d",
            None => false,
        })
    })
}

/// The file `include <tunables/global>` would read, built-in tunables included.
pub(crate) fn tunables_global(ctx: &LintContext<'_>) -> Option<aa_hir::db::File> {
    if let Some(file) = ctx.search_path_file("tunables/global") {
        return Some(file);
    }
    if !*uses_builtin_tunables(ctx.db) {
        return None;
    }
    let file = ctx.db.file(&PathBuf::from(BUILTIN_ROOT).join("tunables/global"));
    matches!(file.content(ctx.db), FileContent::Text(_)).then_some(file)
}
