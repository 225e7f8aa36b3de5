//! Times compiling each profile file given on the command line (one
//! database, like `aa-lint compile` on many files):
//! `cargo run --release -p aa-compile --example corpus_time -- FILES...`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use aa_hir::db::{Db, FileContent, FileLoader, RootDatabase};

struct Os;
impl FileLoader for Os {
    fn load(&self, path: &std::path::Path) -> FileContent {
        if path.is_dir() {
            let names = std::fs::read_dir(path)
                .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default();
            return FileContent::Directory(names);
        }
        match std::fs::read_to_string(path) {
            Ok(t) => FileContent::Text(t),
            Err(_) => FileContent::NotFound,
        }
    }
}

fn main() {
    let feats =
        aa_dfa::Features::parse(&std::fs::read_to_string("/usr/share/apparmor-features/features").unwrap_or_default());
    let opts = aa_compile::options(feats);
    let db = RootDatabase::new(Arc::new(Os), Vec::new(), PathBuf::from("/etc/apparmor.d"), PathBuf::from("/"));
    let all = Instant::now();
    for f in std::env::args().skip(1) {
        let t = Instant::now();
        let root = db.file(&PathBuf::from(&f));
        let model_t = Instant::now();
        let _ = aa_hir::model::policy_model(&db, root);
        let model_d = model_t.elapsed();
        let entries = aa_compile::compile_policy(&db, root, &opts);
        let states: usize = entries
            .iter()
            .filter_map(|e| e.result.as_ref().ok())
            .map(|(_, c)| c.file.as_ref().map(|d| d.dfa.state_count()).unwrap_or(0))
            .sum();
        if std::env::var_os("AA_DETAIL").is_some() {
            for (_, c) in entries.iter().filter_map(|e| e.result.as_ref().ok()) {
                if let Some(f) = &c.file {
                    let t = Instant::now();
                    let opts = aa_dfa::BuildOptions::default();
                    if let Ok(u) = aa_dfa::Dfa::build_unminimized_with(&f.rules, &opts) {
                        let t1 = t.elapsed();
                        let m = u.minimize();
                        println!(
                            "  {} rules: {} unminimized states in {:?}, minimized {} in {:?}",
                            f.rules.len(),
                            u.state_count(),
                            t1,
                            m.state_count(),
                            t.elapsed() - t1
                        );
                    }
                }
            }
        }
        println!(
            "{:8.1} ms (model {:6.1} ms) {states:6} states  {f}",
            t.elapsed().as_secs_f64() * 1e3,
            model_d.as_secs_f64() * 1e3
        );
    }
    println!("total {:.2} s", all.elapsed().as_secs_f64());
}
