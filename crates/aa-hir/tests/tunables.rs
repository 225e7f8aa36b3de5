//! Built-in tunables: used when the include path has no `tunables/`
//! directory, never when the user has one.

mod common;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::{
    db::{Db, RootDatabase},
    diagnostics::policy_diagnostics,
    includes::uses_builtin_tunables,
    variables::variables,
};

const PROFILE: &str = "include <tunables/global>\nprofile p {\n  owner @{HOME}/** r,\n  @{PROC}/@{pid}/stat r,\n  @{run}/p.pid w,\n  /usr/lib/@{multiarch}/** mr,\n}\n";

fn database(files: &[(&str, &str)]) -> RootDatabase {
    RootDatabase::new(Arc::new(common::memory(files)), vec![], PathBuf::from("/etc/apparmor.d"), PathBuf::from("/"))
}

#[test]
fn builtin_tunables_resolve_the_standard_variables() {
    let db = database(&[("/work/p", PROFILE)]);
    assert!(*uses_builtin_tunables(&db));
    let root = db.file(Path::new("/work/p"));
    let diagnostics: Vec<String> =
        policy_diagnostics(&db, root).iter().map(|(_, d)| format!("{}: {}", d.code, d.message)).collect();
    assert_eq!(diagnostics, Vec::<String>::new());
    let table = variables(&db, root);
    let home: Vec<String> = table.set_values("HOME").unwrap().into_iter().collect();
    // Set expansion concatenates as apparmor_parser does; the doubled `/` is
    // collapsed later, when the glob becomes a regex.
    assert_eq!(home, ["/home//*/", "/root/"]);
}

#[test]
fn a_users_tunables_win() {
    let db = database(&[("/work/p", PROFILE), ("/etc/apparmor.d/tunables/global", "@{HOME}=/srv/users/*/\n")]);
    assert!(!*uses_builtin_tunables(&db));
    let root = db.file(Path::new("/work/p"));
    let table = variables(&db, root);
    let home: Vec<String> = table.set_values("HOME").unwrap().into_iter().collect();
    assert_eq!(home, ["/srv/users/*/"]);
    // The user's set lacks @{PROC}, @{pid}, @{run} and @{multiarch}: reported, not filled in.
    let undefined = policy_diagnostics(&db, root).iter().filter(|(_, d)| d.code == "undefined-variable").count();
    assert_eq!(undefined, 4);
}
