//! Fixture tests with the expected findings written in the fixture, under
//! the line they point at (style guide §4.11):
//!
//! ```text
//!   /etc/** rw,
//! # ^^^^^^^^^^^ AA101 warning: `/etc/** rw,` grants write over all of /etc
//! ```
//!
//! The carets cover the finding's columns on the nearest line above that is
//! not an annotation (to its end when the range goes on); `#<- ...` marks a
//! finding that starts in column 0. The first line names the lints to run:
//! `# lints: overbroad-glob, write-and-exec`. Findings in other files (an
//! abstraction's rule) are written `#   in <path>:<line> CODE severity: message`
//! under the include line. `UPDATE_EXPECT=1` rewrites the annotations.

mod common;

use std::path::Path;

use aa_lints::LintDiagnostic;

fn is_annotation(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("#<-")
        || t.strip_prefix('#').is_some_and(|r| r.trim_start().starts_with('^') || r.trim_start().starts_with("in /"))
}

/// The fixture text with the annotations of `found` written in.
fn annotate(clean: &str, found: &[LintDiagnostic], db: &dyn aa_hir::db::Db, root: aa_hir::db::File) -> String {
    let mut line_starts = vec![0usize];
    line_starts.extend(clean.match_indices('\n').map(|(i, _)| i + 1));
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;
    let mut per_line: Vec<Vec<String>> = vec![Vec::new(); line_starts.len()];
    for d in found {
        let text = format!("{} {}: {}", d.code, d.severity.as_str(), d.message);
        if d.file == root {
            let start = usize::from(d.range.start()).min(clean.len());
            let end = usize::from(d.range.end()).min(clean.len());
            let line = line_of(start);
            let line_end = clean[line_starts[line]..].find('\n').map_or(clean.len(), |i| line_starts[line] + i);
            let col = clean[line_starts[line]..start].chars().count();
            let width = clean[start..end.min(line_end).max(start)].chars().count().max(1);
            let mark = if col == 0 {
                format!("#<- {text}")
            } else {
                format!("#{}{} {text}", " ".repeat(col - 1), "^".repeat(width))
            };
            per_line[line].push(mark);
        } else {
            // A finding in an included file: under the include line in the root.
            let Some(via) = d.related.iter().find(|r| r.file == root) else {
                continue;
            };
            let line = line_of(usize::from(via.range.start()).min(clean.len()));
            let other = match d.file.content(db) {
                aa_hir::db::FileContent::Text(t) => t.clone(),
                _ => String::new(),
            };
            let other_line = other[..usize::from(d.range.start()).min(other.len())].matches('\n').count() + 1;
            per_line[line].push(format!("#   in {}:{other_line} {text}", d.file.path(db).display()));
        }
    }
    let mut out = String::new();
    for (i, line) in clean.split_inclusive('\n').enumerate() {
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push('\n');
        }
        for a in per_line.get(i).into_iter().flatten() {
            out.push_str(a);
            out.push('\n');
        }
    }
    out
}

#[test]
fn fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("fixtures dir").flatten().map(|e| e.path()).collect();
    entries.sort();
    let mut failures = Vec::new();
    for path in entries.iter().filter(|p| p.extension().is_some_and(|e| e == "aa")) {
        let written = std::fs::read_to_string(path).expect("read fixture");
        let clean: String = written.split_inclusive('\n').filter(|l| !is_annotation(l)).collect();
        let first = clean.lines().next().unwrap_or("");
        let selectors: Vec<&str> = first.strip_prefix("# lints:").unwrap_or("all").split(',').map(str::trim).collect();
        let (db, root, found) = common::lint(&clean, &selectors);
        let expected = annotate(&clean, &found, &db, root);
        if expected != written {
            if update {
                std::fs::write(path, &expected).expect("write fixture");
            } else {
                failures.push(format!("{}:\n{expected}", path.display()));
            }
        }
    }
    assert!(entries.iter().any(|p| p.extension().is_some_and(|e| e == "aa")), "no fixtures");
    assert!(failures.is_empty(), "fixtures differ (UPDATE_EXPECT=1 rewrites them):\n{}", failures.join("\n"));
}
