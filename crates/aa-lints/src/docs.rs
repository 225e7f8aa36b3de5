//! Lint documentation from the doc comments: the Markdown pages under
//! `docs/lints/`, the text `explain` prints, and the example blocks the
//! tests run.

use std::fmt::Write as _;

use crate::registry::{Group, Lint, REGISTRY, lints};

/// The sections every lint's doc comment has, in order.
pub const SECTIONS: &[&str] = &["## What it flags", "## Why it matters", "## Example", "## Use instead", "## Fix"];

/// The doc comment without the one leading space rustdoc keeps.
pub fn doc_text(lint: &Lint) -> String {
    let mut out = String::new();
    for line in lint.docs.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out
}

/// The page for one lint: a title, its metadata and its documentation,
/// one sentence per line (code blocks as written).
pub fn render(lint: &Lint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} ({})\n", lint.name, lint.code);
    let default = if lint.is_enabled_by_default() { lint.default_level.name() } else { "off (opt in with `--select`)" };
    let _ = writeln!(out, "Group: `{}`. Default level: {}. Fix: {}.\n", lint.group.name(), default, lint.fix.name());
    out.push_str(reflow(&doc_text(lint)).trim_end());
    out.push('\n');
    out
}

/// Joins the lines of each paragraph and breaks them after each sentence.
fn reflow(text: &str) -> String {
    let mut out = String::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut in_code = false;
    let flush = |paragraph: &mut Vec<&str>, out: &mut String| {
        if paragraph.is_empty() {
            return;
        }
        let joined = paragraph.join(" ");
        let mut rest = joined.as_str();
        while let Some(i) = sentence_end(rest) {
            out.push_str(&rest[..=i]);
            out.push('\n');
            rest = &rest[i + 2..];
        }
        out.push_str(rest);
        out.push('\n');
        paragraph.clear();
    };
    for line in text.lines() {
        let fence = line.trim_start().starts_with("```");
        if in_code || fence || line.starts_with('#') || line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
            out.push_str(line);
            out.push('\n');
            if fence {
                in_code = !in_code;
            }
        } else {
            paragraph.push(line.trim());
        }
    }
    flush(&mut paragraph, &mut out);
    out
}

/// The index of the `.` (or `:`) that ends the first sentence of `text`,
/// when another sentence follows.
fn sentence_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut in_code = false;
    for i in 0..bytes.len().saturating_sub(2) {
        match bytes[i] {
            b'`' => in_code = !in_code,
            b'.' if !in_code && bytes[i + 1] == b' ' && (bytes[i + 2].is_ascii_uppercase() || bytes[i + 2] == b'`') => {
                return Some(i);
            }
            _ => {}
        }
    }
    None
}

/// The `## Example` (`false`) or `## Use instead` (`true`) code blocks of a
/// lint's documentation, in order.
pub fn examples(lint: &Lint, valid: bool) -> Vec<String> {
    let wanted = if valid { "## Use instead" } else { "## Example" };
    let text = doc_text(lint);
    let mut out = Vec::new();
    let mut section = "";
    let mut block: Option<String> = None;
    for line in text.lines() {
        if let Some(b) = block.as_mut() {
            if line.trim_start().starts_with("```") {
                out.push(std::mem::take(b));
                block = None;
            } else {
                b.push_str(line);
                b.push('\n');
            }
        } else if line.starts_with("## ") {
            section = SECTIONS.iter().copied().find(|s| line.starts_with(s)).unwrap_or("");
        } else if line.trim_start().starts_with("```apparmor") && section == wanted {
            block = Some(String::new());
        }
    }
    out
}

/// `docs/lints/README.md`: every lint, by group.
pub fn index() -> String {
    let mut out = String::from("# Lints\n\n");
    out.push_str("Generated from the lints' doc comments by `cargo test -p aa-lints --test docs` (`UPDATE_EXPECT=1` rewrites this directory).\n");
    out.push_str("Select lints by code (`AA101`), code prefix (`AA1`), name or group; silence one with `# aa-lint: allow(NAME) reason`.\n");
    out.push_str("Findings on Debian's installed policy: see `../lints.md`.\n");
    for &group in Group::ALL {
        let _ = writeln!(out, "\n## {}\n", group.name());
        if group == Group::Parser {
            out.push_str("What `apparmor_parser` rejects; see [parser.md](parser.md).\n");
            continue;
        }
        let members: Vec<&&Lint> = REGISTRY.iter().filter(|l| l.group == group).collect();
        if members.is_empty() {
            out.push_str("None yet.\n");
            continue;
        }
        out.push_str("| Code | Name | Default | Fix | Flags |\n|---|---|---|---|---|\n");
        for l in members {
            let _ = writeln!(
                out,
                "| {} | [{}]({}.md) | {} | {} | {} |",
                l.code,
                l.name,
                l.name,
                if l.is_enabled_by_default() { l.default_level.name() } else { "off" },
                l.fix.name(),
                summary(l)
            );
        }
    }
    out
}

/// The first sentence of `## What it flags`.
pub fn summary(lint: &Lint) -> String {
    let text = doc_text(lint);
    let after = text.split("## What it flags").nth(1).unwrap_or("");
    let para: Vec<&str> =
        after.lines().skip_while(|l| l.trim().is_empty()).take_while(|l| !l.trim().is_empty()).collect();
    let para = para.join(" ");
    match para.find(". ") {
        Some(i) => para[..=i].to_string(),
        None => para.trim().to_string(),
    }
}

/// `docs/lints/parser.md`: the codes of the `parser` group.
pub fn parser_page() -> String {
    let mut out = String::from("# The `parser` group\n\n");
    out.push_str(
        "These are not lints but what `apparmor_parser` itself rejects (errors) or warns about, found by `aa-hir`.\n",
    );
    out.push_str("They are on by default and cannot be suppressed; each has a stable code so output and configuration can name it.\n\n");
    out.push_str("| Code | Name | Meaning |\n|---|---|---|\n");
    for l in lints().filter(|l| l.group == Group::Parser) {
        let _ = writeln!(out, "| {} | {} | {} |", l.code, l.name, summary(l));
    }
    out
}

/// Every generated file under `docs/lints/`, as (file name, content).
pub fn generated_files() -> Vec<(String, String)> {
    let mut files = vec![("README.md".to_string(), index()), ("parser.md".to_string(), parser_page())];
    files.extend(REGISTRY.iter().map(|l| (format!("{}.md", l.name), render(l))));
    files
}
