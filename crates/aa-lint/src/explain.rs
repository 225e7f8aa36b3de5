//! `aa-lint explain` and `aa-lint rules`: the lint registry, for people.

use aa_lints::registry::lints;

use crate::{Status, output::Printer};

/// Prints a lint's documentation (`docs/lints/<name>.md`).
pub fn explain(name: &str, printer: &mut Printer) -> Status {
    match aa_lints::explain(name) {
        Some(text) => {
            printer.out(&text);
            if !text.ends_with('\n') {
                printer.out("\n");
            }
            Status::Clean
        }
        None => {
            printer.error(&format!("`{name}` is not a lint code or name (`aa-lint rules` lists them)"));
            Status::Failure
        }
    }
}

/// Prints one line per lint: code, name, group, default level, fix.
pub fn rules(printer: &mut Printer) -> Status {
    let width = lints().map(|l| l.name.len()).max().unwrap_or(4);
    printer.out(&format!("{:<6} {:<width$} {:<12} {:<8} {}\n", "CODE", "NAME", "GROUP", "DEFAULT", "FIX"));
    for lint in lints() {
        printer.out(&format!(
            "{:<6} {:<width$} {:<12} {:<8} {}\n",
            lint.code,
            lint.name,
            lint.group.name(),
            lint.default_level.name(),
            lint.fix.name()
        ));
    }
    Status::Clean
}
