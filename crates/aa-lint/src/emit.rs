//! Output formats of `aa-lint check`: `human`, `json`, `sarif` and `github`.
//! The JSON and SARIF shapes are documented in `docs/cli.md`.

use std::collections::BTreeMap;

use aa_lints::Severity;
use clap::ValueEnum;
use serde_json::{Value, json};

use crate::{
    lint::{Finding, Location, Report},
    render::Styles,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// `file:line:col: severity[CODE name]: message`, the source line and an
    /// underline, notes and fixes, then a summary line.
    Human,
    /// One JSON document (schema in docs/cli.md).
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
}

/// Counts of findings by severity.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub files_with_findings: usize,
    pub checked: usize,
    pub failed: usize,
    pub fixable: usize,
    pub unsafe_fixable: usize,
}

impl Counts {
    pub fn of(report: &Report) -> Counts {
        let mut counts = Counts::default();
        for outcome in &report.outcomes {
            match &outcome.result {
                Ok(findings) => {
                    counts.checked += 1;
                    if !findings.is_empty() {
                        counts.files_with_findings += 1;
                    }
                    for finding in findings {
                        match finding.severity {
                            Severity::Error => counts.error += 1,
                            Severity::Warning => counts.warning += 1,
                            Severity::Info => counts.info += 1,
                        }
                        match &finding.fix {
                            Some(fix) if fix.safe => counts.fixable += 1,
                            Some(_) => counts.unsafe_fixable += 1,
                            None => {}
                        }
                    }
                }
                Err(_) => counts.failed += 1,
            }
        }
        counts
    }

    pub fn total(&self) -> usize {
        self.error + self.warning + self.info
    }
}

pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// The summary line of the human format.
pub fn summary(counts: &Counts, styles: Styles) -> String {
    let checked = plural(counts.checked, "file");
    let mut line = if counts.total() == 0 {
        styles.success(&format!("No problems found ({checked} checked)."))
    } else {
        let mut parts = Vec::new();
        if counts.error > 0 {
            parts.push(plural(counts.error, "error"));
        }
        if counts.warning > 0 {
            parts.push(plural(counts.warning, "warning"));
        }
        if counts.info > 0 {
            parts.push(format!("{} info", counts.info));
        }
        let list = match parts.len() {
            1 => parts[0].clone(),
            n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
        };
        let text = format!("Found {list} in {} ({checked} checked).", plural(counts.files_with_findings, "file"));
        if counts.error > 0 { styles.error(&text) } else { styles.warning(&text) }
    };
    if counts.fixable > 0 {
        line.push_str(&format!(" {} fixable with `--fix`.", counts.fixable));
    }
    if counts.unsafe_fixable > 0 {
        line.push_str(&format!(" {} more with `--unsafe-fixes`.", counts.unsafe_fixable));
    }
    if counts.failed > 0 {
        line.push_str(&format!(" {} could not be checked.", plural(counts.failed, "path")));
    }
    line
}

/// Human output of every finding (without the summary).
pub fn human(report: &Report, styles: Styles) -> String {
    let mut out = String::new();
    // One line index per file, not one per finding.
    let mut starts: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for finding in findings(report) {
        let text = report.texts.get(&finding.location.path).map_or("", |t| t);
        let starts = starts.entry(finding.location.path.as_str()).or_insert_with(|| crate::source::line_starts(text));
        out.push_str(&crate::render::render_with(
            &crate::source::LineIndex::with_starts(text, starts),
            finding,
            styles,
        ));
        out.push('\n');
    }
    out
}

fn findings(report: &Report) -> impl Iterator<Item = &Finding> {
    report.outcomes.iter().filter_map(|o| o.result.as_ref().ok()).flatten()
}

fn position(offset: u32, (line, column): (usize, usize)) -> Value {
    json!({ "offset": offset, "line": line, "column": column })
}

fn range_json(location: &Location) -> Value {
    json!({
        "start": position(u32::from(location.range.start()), location.start),
        "end": position(u32::from(location.range.end()), location.end),
    })
}

/// `--output-format json`: schema version 1 (docs/cli.md).
pub fn json(report: &Report) -> String {
    let diagnostics: Vec<Value> = findings(report)
        .map(|f| {
            json!({
                "file": f.location.path,
                "range": range_json(&f.location),
                "code": f.code,
                "name": f.name,
                "group": f.group,
                "severity": f.severity.as_str(),
                "message": f.message,
                "related": f.related.iter().map(|r| json!({
                    "file": r.location.path,
                    "range": range_json(&r.location),
                    "message": r.message,
                })).collect::<Vec<_>>(),
                "fix": f.fix.as_ref().map(|fix| json!({
                    "applicability": if fix.safe { "safe" } else { "unsafe" },
                    "description": fix.description,
                    "edits": fix.edits.iter().map(|e| json!({
                        "file": e.location.path,
                        "range": range_json(&e.location),
                        "new_text": e.new_text,
                    })).collect::<Vec<_>>(),
                })),
            })
        })
        .collect();
    let failures: Vec<Value> = report
        .outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err().map(|message| json!({ "file": o.name, "message": message })))
        .collect();
    let counts = Counts::of(report);
    let document = json!({
        "version": 1,
        "tool": { "name": "aa-lint", "version": env!("CARGO_PKG_VERSION") },
        "diagnostics": diagnostics,
        "failures": failures,
        "summary": {
            "files_checked": counts.checked,
            "files_failed": counts.failed,
            "error": counts.error,
            "warning": counts.warning,
            "info": counts.info,
        },
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// The first paragraph under `## What it flags`: a rule's short description.
fn short_description(docs: &str) -> String {
    let text: Vec<&str> = docs.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
    let mut lines =
        text.iter().skip_while(|l| !l.starts_with("## What it flags")).skip(1).skip_while(|l| l.trim().is_empty());
    let mut paragraph = Vec::new();
    for line in lines.by_ref() {
        if line.trim().is_empty() {
            break;
        }
        paragraph.push(line.trim());
    }
    paragraph.join(" ")
}

fn artifact(path: &str) -> Value {
    let absolute = std::path::Path::new(path).is_absolute();
    let uri: String = path
        .split('/')
        .map(|segment| {
            segment
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' | b'+' | b',' | b'=' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/");
    if absolute { json!({ "uri": format!("file://{uri}") }) } else { json!({ "uri": uri, "uriBaseId": "%SRCROOT%" }) }
}

fn region(location: &Location) -> Value {
    let start = u32::from(location.range.start());
    json!({
        "startLine": location.start.0,
        "startColumn": location.start.1,
        "endLine": location.end.0,
        "endColumn": location.end.1,
        "byteOffset": start,
        "byteLength": u32::from(location.range.end()) - start,
    })
}

fn physical(location: &Location) -> Value {
    json!({ "artifactLocation": artifact(&location.path), "region": region(location) })
}

/// `--output-format sarif`: a SARIF 2.1.0 log with one run.
pub fn sarif(report: &Report) -> String {
    let mut used: BTreeMap<&'static str, usize> = BTreeMap::new();
    for finding in findings(report) {
        used.insert(finding.code, 0);
    }
    let mut rules = Vec::new();
    for (index, (code, slot)) in used.iter_mut().enumerate() {
        *slot = index;
        let Some(lint) = aa_lints::lint_by_code_or_name(code) else { continue };
        let docs = aa_lints::explain(code).unwrap_or_default();
        let level = match lint.default_level.severity() {
            Some(Severity::Error) => "error",
            Some(Severity::Warning) => "warning",
            Some(Severity::Info) => "note",
            None => "none",
        };
        let mut rule = json!({
            "id": lint.code,
            "name": lint.name,
            "shortDescription": { "text": short_description(lint.docs) },
            "fullDescription": { "text": docs },
            "help": { "text": docs, "markdown": docs },
            "defaultConfiguration": { "level": level, "enabled": lint.is_enabled_by_default() },
            "properties": {
                "group": lint.group.name(),
                "tags": [lint.group.name()],
                "docs": format!("docs/lints/{}.md", lint.name),
            },
        });
        if let Ok(base) = std::env::var("AA_LINT_DOCS_URL") {
            rule["helpUri"] = json!(format!("{}/{}.md", base.trim_end_matches('/'), lint.name));
        }
        rules.push(rule);
    }
    let results: Vec<Value> = findings(report)
        .map(|f| {
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": used.get(f.code).copied().unwrap_or(0),
                "level": match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "note",
                },
                "message": { "text": f.message },
                "locations": [{ "physicalLocation": physical(&f.location) }],
                "properties": { "name": f.name, "group": f.group },
            });
            if !f.related.is_empty() {
                result["relatedLocations"] = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(id, r)| json!({ "id": id, "physicalLocation": physical(&r.location), "message": { "text": r.message } }))
                    .collect();
            }
            if let Some(fix) = &f.fix {
                let mut by_file: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
                for edit in &fix.edits {
                    let start = u32::from(edit.location.range.start());
                    by_file.entry(&edit.location.path).or_default().push(json!({
                        "deletedRegion": { "byteOffset": start, "byteLength": u32::from(edit.location.range.end()) - start },
                        "insertedContent": { "text": edit.new_text },
                    }));
                }
                result["fixes"] = json!([{
                    "description": { "text": fix.description },
                    "artifactChanges": by_file.into_iter().map(|(path, replacements)| json!({
                        "artifactLocation": artifact(path),
                        "replacements": replacements,
                    })).collect::<Vec<_>>(),
                    "properties": { "applicability": if fix.safe { "safe" } else { "unsafe" } },
                }]);
            }
            result
        })
        .collect();
    let failures: Vec<Value> = report
        .outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err())
        .map(|message| json!({ "level": "error", "message": { "text": message } }))
        .collect();
    let mut invocation = json!({ "executionSuccessful": failures.is_empty() });
    if !failures.is_empty() {
        invocation["toolExecutionNotifications"] = json!(failures);
    }
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "aa-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [invocation],
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// Escapes the data of a workflow command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `--output-format github`: one workflow command per finding.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in findings(report) {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = f.message.clone();
        for related in &f.related {
            let (line, column) = related.location.start;
            message.push_str(&format!("\nnote: {}:{line}:{column}: {}", related.location.path, related.message));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&f.location.path),
            f.location.start.0,
            f.location.start.1,
            f.location.end.0,
            f.location.end.1,
            escape_property(&format!("{} {}", f.code, f.name)),
            escape_data(&message),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn short_description_is_the_first_paragraph() {
        let lint = aa_lints::lint_by_code_or_name("AA101").expect("AA101");
        let text = short_description(lint.docs);
        assert!(!text.is_empty() && !text.contains('\n'), "{text}");
    }

    #[test]
    fn artifact_uris_are_percent_encoded() {
        assert_eq!(artifact("a b/c#d")["uri"], "a%20b/c%23d");
        assert_eq!(artifact("/etc/apparmor.d/x")["uri"], "file:///etc/apparmor.d/x");
    }
}
