//! Hover: what the word under the cursor means, in Markdown.

use std::{collections::BTreeMap, fmt::Write as _, path::Path};

use aa_hir::db::Db;
use aa_syntax::{
    SyntaxKind::{self, *},
    SyntaxNode, SyntaxToken, TextRange, TextSize,
    ast::{self, AstNode},
};

use crate::{docs, util};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    /// What the hover is about.
    pub range: TextRange,
    pub markdown: String,
}

pub(crate) fn hover(db: &dyn Db, path: &Path, offset: TextSize) -> Option<Hover> {
    let root = util::parse(db, path).syntax_node();
    let token = util::token_at(&root, offset)?;
    let range = token.text_range();
    let hover = |markdown: String| Some(Hover { range, markdown });

    if token.kind() == COMMENT && token.text().starts_with("#aa:") {
        return directive_hover(db, path, range).and_then(hover);
    }
    if token.kind() == VARIABLE || token.kind() == BOOL_VARIABLE {
        return hover(variable_hover(db, path, &token));
    }
    if let Some(include) = token.parent_ancestors().find_map(ast::Include::cast)
        && let Some(inc) = util::include_at(db, path, offset)
    {
        return Some(Hover { range: include.syntax().text_range(), markdown: include_hover(db, &inc) });
    }
    if token.kind().is_keyword() {
        let word = token.text().to_ascii_lowercase();
        let word = match word.as_str() {
            "user" => "owner".to_string(),
            "unmount" => "umount".to_string(),
            "rewrite" => "alias".to_string(),
            _ => word,
        };
        // `flags=(audit)` and `audit` the qualifier share a word.
        if token.parent().is_some_and(|p| p.kind() == FLAG || p.kind() == VALUE)
            && let Some(d) = docs::lookup(docs::FLAGS, &word)
        {
            return hover(format!("**flag `{word}`**\n\n{d}"));
        }
        if let Some(d) = docs::lookup(docs::KEYWORDS, &word) {
            return hover(format!("**`{word}`**\n\n{d}"));
        }
    }
    let parent = token.parent()?;
    // Permission words.
    if parent.kind() == PERMS {
        let text = token.text();
        return hover(format!("**permissions `{text}`**\n\n{}", docs::explain_perms(text)?));
    }
    // Profile flags.
    if let Some(flag) = token.parent_ancestors().find(|n| n.kind() == FLAG) {
        let text = flag.text().to_string();
        let key = if text.starts_with("attach_disconnected.path") {
            "attach_disconnected.path"
        } else {
            text.split('=').next().unwrap_or(&text).trim()
        };
        let d = docs::lookup(docs::FLAGS, key).unwrap_or("Not a flag apparmor_parser knows.");
        return Some(Hover { range: flag.text_range(), markdown: format!("**flag `{}`**\n\n{d}", text.trim()) });
    }
    // Profile names and transitions.
    if let Some(name_node) = token.parent_ancestors().find(|n| matches!(n.kind(), PROFILE_NAME | ATTACHMENT))
        && let Some(profile) = name_node.parent().and_then(ast::Profile::cast)
    {
        let mut markdown = profile_summary(&profile);
        markdown.push_str(&resolved_profile(db, path, profile.syntax().text_range()));
        return Some(Hover { range: name_node.text_range(), markdown });
    }
    if let Some(target) = token.parent_ancestors().find(|n| n.kind() == TARGET) {
        let value = target.children().find_map(ast::Value::cast)?;
        let name = util::unquote(&value.text());
        let profiles = util::profiles(db, path);
        let markdown = match find_profile(&profiles, &token, &name) {
            Some(p) => format!(
                "{}\n\nDefined in `{}`.",
                profile_summary(&ast::Profile::cast(p.node.clone())?),
                p.path.display()
            ),
            None => format!(
                "**transition to `{name}`**\n\nNo profile of that name in this file or its includes; it must be loaded separately."
            ),
        };
        return Some(Hover { range: value.syntax().text_range(), markdown });
    }
    // A file rule's path: the effective permissions there.
    if parent.kind() == VALUE
        && let Some(rule) = parent.parent().filter(|r| r.kind() == FILE_RULE)
        && let Some(markdown) = crate::effective::effective_hover(db, path, rule.text_range())
    {
        return Some(Hover { range: parent.text_range(), markdown });
    }
    let rule = util::enclosing_rule(&token)?;
    let word = token.text().to_string();
    let in_condition = token.parent_ancestors().find(|n| n.kind() == CONDITION);
    match rule.kind() {
        CAPABILITY_RULE if token.kind() == WORD => {
            let d = match docs::lookup(docs::CAPABILITIES, &word) {
                Some(d) => d,
                None if aa_hir::checks::names::CAPABILITIES.contains(&word.as_str()) => {
                    "A capability apparmor_parser knows."
                }
                None => "Not a capability apparmor_parser knows.",
            };
            hover(format!("**capability `{word}`** (`CAP_{}`)\n\n{d}", word.to_ascii_uppercase()))
        }
        NETWORK_RULE if token.kind() == WORD && in_condition.is_none() && parent.kind() != ACCESS => {
            if let Some(d) = docs::lookup(docs::NETWORK_FAMILIES, &word) {
                hover(format!("**address family `{word}`**\n\n{d}"))
            } else if let Some(d) = docs::lookup(docs::NETWORK_TYPES, &word) {
                hover(format!("**socket type `{word}`**\n\n{d}"))
            } else {
                None
            }
        }
        SIGNAL_RULE => {
            let cond = in_condition?;
            if ast::Condition::cast(cond)?.name().as_deref() != Some("set") {
                return None;
            }
            if let Some(n) = word.strip_prefix("rtmin+") {
                return hover(format!(
                    "**signal `{word}`**\n\nReal-time signal number {n} above the first real-time signal."
                ));
            }
            let d = docs::lookup(docs::SIGNALS, &word)?;
            hover(format!("**signal `{word}`** (`SIG{}`)\n\n{d}", word.to_ascii_uppercase()))
        }
        _ => None,
    }
}

/// An apparmor.d build directive (`#aa:dbus ...`): what the collection's
/// build replaces it with, or why it would fail.
fn directive_hover(db: &dyn Db, path: &Path, range: TextRange) -> Option<String> {
    use aa_hir::directives::{DirectiveKind, expansion, file_directives, kept};
    let directives = file_directives(db, db.file(path));
    if let Some(error) = directives.errors.iter().find(|e| e.range == range) {
        return Some(format!("**invalid build directive**\n\n{}", error.message));
    }
    let directive = directives.directives.iter().find(|d| d.range == range)?;
    let distribution = db.settings().target_distribution(db).clone();
    let text = match &directive.kind {
        DirectiveKind::Only { filters, .. } | DirectiveKind::Exclude { filters, .. } => {
            let which = if matches!(directive.kind, DirectiveKind::Only { .. }) { "only in" } else { "except in" };
            let builds: Vec<&str> = aa_hir::directives::DISTRIBUTIONS
                .iter()
                .map(|(d, _)| *d)
                .filter(|d| kept(&directive.kind, Some(d)))
                .collect();
            let linted = match &distribution {
                Some(d) if kept(&directive.kind, Some(d)) => format!("kept in the `{d}` build being linted"),
                Some(d) => format!("removed from the `{d}` build being linted"),
                None if kept(&directive.kind, None) => "common to every build, so linted".to_string(),
                None => "not in every build, so left out (lint one build with `--target-distribution`)".to_string(),
            };
            format!(
                "**build filter**: the line or paragraph below exists {which} `{}`\n\nBuilds that keep it: {}\n\n{linted}",
                filters.join(" "),
                if builds.is_empty() { "none".to_string() } else { builds.join(", ") }
            )
        }
        DirectiveKind::Lint => "**linter directive**: `#aa:lint ignore=` silences check.sh's checks".to_string(),
        DirectiveKind::Stack { keep_exec, profiles } => {
            let rules = aa_hir::directives::stacked_text(db, *keep_exec, profiles);
            format!(
                "**stack**: the build adds the rules of {} at the end of this profile\n\n```apparmor\n{rules}```",
                profiles.join(", ")
            )
        }
        kind => {
            let mut rules = expansion(db, kind);
            if let DirectiveKind::Dbus(d) = kind
                && let Some(abstraction) = d.own_abstraction()
            {
                rules.insert_str(0, &format!("include <{abstraction}>\n"));
            }
            format!("**build directive**: the build replaces it with\n\n```apparmor\n{rules}```")
        }
    };
    Some(text)
}

fn find_profile<'a>(profiles: &'a [util::ProfileInfo], at: &SyntaxToken, name: &str) -> Option<&'a util::ProfileInfo> {
    // A child profile of the enclosing profile first (`Cx -> child`), then any.
    let last = name.rsplit("//").next().unwrap_or(name);
    let enclosing = at.parent().and_then(|p| util::enclosing_profile(&p));
    if let Some(enclosing) = enclosing
        && let Some(p) = profiles
            .iter()
            .find(|p| p.name == last && p.node.parent().and_then(|b| b.parent()).as_ref() == Some(enclosing.syntax()))
    {
        return Some(p);
    }
    profiles.iter().find(|p| p.name == name || p.name == last)
}

/// What `aa_hir::model::policy_model` makes of the profile written at
/// `range`: its full name, expanded attachment and rules after includes,
/// variables and conditionals.
fn resolved_profile(db: &dyn Db, path: &Path, range: TextRange) -> String {
    let file = db.file(path);
    let model = aa_hir::model::policy_model(db, file);
    let Some(p) = model.profiles.iter().find(|p| p.origin.location.file == file && p.origin.location.range == range)
    else {
        return String::new();
    };
    let mut out = format!("\n\nAs loaded: `{}`", p.name);
    if let Some(att) = &p.attachment {
        let _ = write!(out, " attached to `{}`", util::shorten(att, 200));
    }
    let _ = write!(out, ", {} rule(s) after includes, variables and conditionals.", p.rules.len());
    out
}

pub(crate) fn profile_summary(profile: &ast::Profile) -> String {
    let mut out = String::new();
    let kind = if profile.is_hat() { "hat" } else { "profile" };
    let name = util::profile_name(profile).map(|(n, _)| n).unwrap_or_default();
    let _ = write!(out, "**{kind} `{name}`**");
    if let (Some(_), Some(att)) = (profile.name(), profile.attachment()) {
        let _ = write!(out, "\n\nAttaches to `{}`.", att.text());
    }
    if let Some(flags) = profile.flags() {
        let flags: Vec<String> = flags.values().collect();
        let _ = write!(out, "\n\nFlags: `{}`.", flags.join(", "));
    }
    if let Some(body) = profile.body() {
        let summary = summarize(body.syntax());
        if !summary.is_empty() {
            let _ = write!(out, "\n\n{summary}");
        }
    }
    out
}

/// Counts rules by kind in a body (not descending into child profiles).
fn count_rules(node: &SyntaxNode, counts: &mut BTreeMap<&'static str, usize>, children: &mut Vec<String>) {
    for child in node.children() {
        match child.kind() {
            PROFILE | HAT => {
                if let Some((n, _)) = ast::Profile::cast(child.clone()).and_then(|p| util::profile_name(&p)) {
                    children.push(n);
                }
            }
            kind if kind.is_rule() => *counts.entry(rule_kind_name(kind)).or_default() += 1,
            INCLUDE => *counts.entry("include").or_default() += 1,
            _ => count_rules(&child, counts, children),
        }
    }
}

fn summarize(node: &SyntaxNode) -> String {
    let mut counts = BTreeMap::new();
    let mut children = Vec::new();
    count_rules(node, &mut counts, &mut children);
    let mut parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    if !children.is_empty() {
        parts.push(format!("children: {}", children.join(", ")));
    }
    if parts.is_empty() { String::new() } else { format!("Contains {}.", parts.join(", ")) }
}

pub(crate) fn rule_kind_name(kind: SyntaxKind) -> &'static str {
    match kind {
        FILE_RULE => "file",
        LINK_RULE => "link",
        CAPABILITY_RULE => "capability",
        NETWORK_RULE => "network",
        UNIX_RULE => "unix",
        DBUS_RULE => "dbus",
        MOUNT_RULE => "mount",
        REMOUNT_RULE => "remount",
        UMOUNT_RULE => "umount",
        PIVOT_ROOT_RULE => "pivot_root",
        PTRACE_RULE => "ptrace",
        SIGNAL_RULE => "signal",
        RLIMIT_RULE => "rlimit",
        CHANGE_PROFILE_RULE => "change_profile",
        MQUEUE_RULE => "mqueue",
        IO_URING_RULE => "io_uring",
        USERNS_RULE => "userns",
        ALL_RULE => "all",
        _ => "other",
    }
}

fn variable_hover(db: &dyn Db, path: &Path, token: &SyntaxToken) -> String {
    let vars = aa_hir::variables::variables(db, db.file(path));
    if token.kind() == BOOL_VARIABLE {
        let name = aa_hir::variables::bool_name(token.text());
        let mut out = format!("**boolean `${{{name}}}`**");
        match vars.bools.get(&name) {
            Some(b) => {
                let _ = write!(out, "\n\n```apparmor\n${{{name}}} = {}\n```", b.value);
                let _ = write!(out, "\n\nDefined in `{}`.", b.defined_at.file.path(db).display());
            }
            None => out.push_str("\n\nNot defined in this file or the files it includes."),
        }
        return out;
    }
    let name = util::variable_name(token.text());
    let mut out = format!("**variable `@{{{name}}}`**");
    let Some(set) = vars.sets.get(&name) else {
        if aa_hir::variables::BUILTIN_VARIABLES.contains(&name.as_str()) || name == "os_release" {
            out.push_str("\n\nSet by apparmor_parser itself for each profile.");
        } else if vars.bools.contains_key(&name) {
            out.push_str("\n\nA boolean, not a set variable.");
        } else {
            out.push_str("\n\nNot defined in this file or the files it includes.");
        }
        return out;
    };
    let written: Vec<&str> = set.values.iter().map(String::as_str).collect();
    let _ = write!(out, "\n\n```apparmor\n@{{{name}}} = {}\n```", util::shorten(&written.join(" "), 400));
    match vars.expand(&format!("@{{{name}}}"), &|_| None) {
        Ok(expanded) if written.len() != 1 || expanded != written[0] => {
            let _ = write!(out, "\n\nExpands to `{}`.", util::shorten(&expanded, 400));
        }
        Ok(_) => {}
        Err(e) => {
            let _ = write!(out, "\n\nCannot be expanded: {e}.");
        }
    }
    out.push_str("\n\nDefined in:");
    let _ = write!(out, "\n- `{}` (=)", set.defined_at.file.path(db).display());
    for add in &set.additions {
        let _ = write!(out, "\n- `{}` (+=)", add.file.path(db).display());
    }
    out
}

fn include_hover(db: &dyn Db, inc: &aa_hir::includes::ResolvedInclude) -> String {
    let mut out = format!("**include `{}`**", inc.target);
    if let Some(error) = &inc.error {
        let _ = write!(out, "\n\n{error}");
        return out;
    }
    if inc.files.is_empty() {
        out.push_str("\n\nNothing to include (a missing `if exists` target or an empty directory).");
        return out;
    }
    out.push_str("\n\nResolves to:");
    for f in inc.files.iter().take(20) {
        let _ = write!(out, "\n- `{}`", f.path(db).display());
    }
    if inc.files.len() > 20 {
        let _ = write!(out, "\n- … {} more", inc.files.len() - 20);
    }
    // What the whole closure grants.
    let mut counts = BTreeMap::new();
    let mut children = Vec::new();
    let mut caps = Vec::new();
    let mut families = Vec::new();
    let mut vars = Vec::new();
    let mut nfiles = 0;
    let mut seen = Vec::new();
    for &target in &inc.files {
        for &f in &aa_hir::includes::include_closure(db, target).files {
            if seen.contains(&f) {
                continue;
            }
            seen.push(f);
            nfiles += 1;
            let root = aa_hir::includes::parse(db, f).syntax_node();
            count_rules(&root, &mut counts, &mut children);
            for rule in root.descendants().filter_map(ast::Rule::cast) {
                match rule.kind() {
                    CAPABILITY_RULE => caps.extend(rule.words().skip(1)),
                    NETWORK_RULE => families.extend(rule.words().skip(1).take(1)),
                    _ => {}
                }
            }
            for def in root.descendants().filter_map(ast::VariableDef::cast) {
                if let Some(n) = def.name()
                    && !vars.contains(&n)
                {
                    vars.push(n);
                }
            }
        }
    }
    let mut parts: Vec<String> =
        counts.iter().filter(|(k, _)| **k != "include").map(|(k, v)| format!("{v} {k}")).collect();
    if parts.is_empty() {
        parts.push("no rules".to_string());
    }
    let _ = write!(out, "\n\nReads {nfiles} file(s) granting {}.", parts.join(", "));
    caps.sort();
    caps.dedup();
    if !caps.is_empty() {
        let _ = write!(out, "\n\nCapabilities: {}.", caps.join(", "));
    }
    families.sort();
    families.dedup();
    if !families.is_empty() {
        let _ = write!(out, "\n\nNetwork: {}.", families.join(", "));
    }
    if !vars.is_empty() {
        let shown: Vec<String> = vars.iter().take(15).map(|v| format!("@{{{v}}}")).collect();
        let more = if vars.len() > 15 { format!(" and {} more", vars.len() - 15) } else { String::new() };
        let _ = write!(out, "\n\nDefines {}{more}.", shown.join(", "));
    }
    out
}

/// The short explanation of the lints whose diagnostics cover `offset`:
/// the title and the *What it flags* section of their documentation.
pub(crate) fn lint_hover(db: &dyn Db, lint: &crate::LintConfig, path: &Path, offset: TextSize) -> Option<Hover> {
    let diags = crate::diagnostics::diagnostics(db, lint, path);
    let mut range: Option<TextRange> = None;
    let mut parts: Vec<String> = Vec::new();
    for d in diags.iter().filter(|d| d.range.contains_inclusive(offset)) {
        let Some(short) = lint_summary(&d.code) else { continue };
        if parts.contains(&short) {
            continue;
        }
        parts.push(short);
        range = Some(range.map_or(d.range, |r| r.cover(d.range)));
    }
    Some(Hover { range: range?, markdown: parts.join("\n\n---\n\n") })
}

/// `**name** (AA101, security)` and the first section of `aa_lints::explain`.
pub(crate) fn lint_summary(code: &str) -> Option<String> {
    let lint = aa_lints::lint_by_code_or_name(code)?;
    let doc = aa_lints::explain(code)?;
    let mut section = String::new();
    let mut inside = false;
    for line in doc.lines() {
        if line.starts_with("## ") {
            if inside {
                break;
            }
            inside = true;
            continue;
        }
        if inside {
            section.push_str(line);
            section.push('\n');
        }
    }
    Some(format!("**lint `{}`** ({}, {})\n\n{}", lint.name, lint.code, lint.group.name(), section.trim()))
}
