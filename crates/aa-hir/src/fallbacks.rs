//! What of the standard policy a root took from aa-lint rather than from the
//! machine: the built-in tunables, embedded feature ABIs, and the standard
//! abstractions that were not there to read. The analysis
//! reports it as data; the front ends say it once per run (the CLI on
//! standard error, the server in one message), not once per file.

use crate::{
    checks::embedded_abis,
    db::{Db, File},
    default_tunables::BUILTIN_ROOT,
    includes::include_closure,
};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Fallbacks {
    /// A file of the built-in tunables was read (no search directory has `tunables/`).
    pub builtin_tunables: bool,
    /// Standard ABIs named by `abi` rules that no search directory has
    /// (`abi/5.0`, ...), sorted: aa-lint's copies were used.
    pub embedded_abis: Vec<String>,
    /// Standard abstractions included on a machine that has none, sorted:
    /// not errors, but their rules were not seen.
    pub unseen_abstractions: Vec<String>,
}

impl Fallbacks {
    pub fn is_empty(&self) -> bool {
        *self == Fallbacks::default()
    }

    /// Adds what `other` used (to sum a run's roots).
    pub fn merge(&mut self, other: &Fallbacks) {
        self.builtin_tunables |= other.builtin_tunables;
        merge_sorted(&mut self.embedded_abis, &other.embedded_abis);
        merge_sorted(&mut self.unseen_abstractions, &other.unseen_abstractions);
    }
}

fn merge_sorted(into: &mut Vec<String>, from: &[String]) {
    for name in from {
        if let Err(at) = into.binary_search(name) {
            into.insert(at, name.clone());
        }
    }
}

/// The fallbacks `root` and the files it includes used.
#[salsa::tracked(returns(ref), lru = 128)]
pub fn fallbacks(db: &dyn Db, root: File) -> Fallbacks {
    let closure = include_closure(db, root);
    let mut out = Fallbacks {
        builtin_tunables: closure.files.iter().any(|f| f.path(db).starts_with(BUILTIN_ROOT)),
        ..Fallbacks::default()
    };
    let mut abis: Vec<String> =
        closure.files.iter().flat_map(|&file| embedded_abis(db, file)).map(str::to_string).collect();
    abis.sort();
    abis.dedup();
    out.embedded_abis = abis;
    out.unseen_abstractions = closure.unseen_abstractions.clone();
    out.unseen_abstractions.sort();
    out
}
