//! `docs/lints/` is generated from the lints' doc comments. This test fails
//! when the committed files are stale; `UPDATE_EXPECT=1` rewrites them.

use std::path::Path;

#[test]
fn lint_docs_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/lints");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let files = aa_lints::docs::generated_files();
    let mut stale = Vec::new();
    if update {
        std::fs::create_dir_all(&dir).expect("create docs/lints");
    }
    for (name, content) in &files {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            if update {
                std::fs::write(&path, content).expect("write lint doc");
            } else {
                stale.push(name.clone());
            }
        }
    }
    // Pages of lints that no longer exist.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && !files.iter().any(|(n, _)| *n == name) {
            if update {
                let _ = std::fs::remove_file(entry.path());
            } else {
                stale.push(format!("{name} (no such lint)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/lints is stale ({stale:?}); run `UPDATE_EXPECT=1 cargo test -p aa-lints --test docs`"
    );
}
