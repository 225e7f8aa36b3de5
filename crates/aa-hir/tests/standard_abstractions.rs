//! A machine without AppArmor's policy: an include of a standard
//! abstraction is a fallback (its rules unseen, said once per run), not an
//! error, when no search directory has `abstractions/`; any other missing
//! include stays an error, and so does a standard one on a machine that
//! has abstractions.

mod common;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::{
    db::{Db, RootDatabase},
    diagnostics::policy_diagnostics,
    fallbacks::fallbacks,
    includes::lacks_abstractions,
};

const PROFILE: &str = "profile p {\n  include <abstractions/base>\n  include <abstractions/nameservice>\n  include <abstractions/project-own>\n  include if exists <local/p>\n}\n";

fn unresolved(db: &RootDatabase) -> Vec<String> {
    let root = db.file(Path::new("/work/p"));
    policy_diagnostics(db, root)
        .iter()
        .filter(|(_, d)| d.code == "unresolved-include")
        .map(|(_, d)| d.message.clone())
        .collect()
}

#[test]
fn standard_abstractions_on_a_machine_without_them() {
    let db = RootDatabase::new(
        Arc::new(common::memory(&[("/work/p", PROFILE)])),
        vec![],
        PathBuf::from("/etc/apparmor.d"),
        PathBuf::from("/"),
    );
    assert!(*lacks_abstractions(&db));
    assert_eq!(unresolved(&db), ["could not find include `abstractions/project-own` in /etc/apparmor.d/abstractions"]);
    let used = fallbacks(&db, db.file(Path::new("/work/p")));
    assert_eq!(used.unseen_abstractions, ["abstractions/base", "abstractions/nameservice"]);
}

#[test]
fn with_an_abstractions_directory_a_missing_one_stays_an_error() {
    let files = [("/work/p", PROFILE), ("/etc/apparmor.d/abstractions/base", "/etc/ld.so.cache r,\n")];
    let db = RootDatabase::new(
        Arc::new(common::memory(&files)),
        vec![],
        PathBuf::from("/etc/apparmor.d"),
        PathBuf::from("/"),
    );
    assert!(!*lacks_abstractions(&db));
    assert_eq!(
        unresolved(&db),
        [
            "could not find include `abstractions/nameservice` in /etc/apparmor.d/abstractions",
            "could not find include `abstractions/project-own` in /etc/apparmor.d/abstractions",
        ]
    );
    assert!(fallbacks(&db, db.file(Path::new("/work/p"))).unseen_abstractions.is_empty());
}
