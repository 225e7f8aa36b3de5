//! Prints the lowered input of every profile of a policy file (debugging aid):
//! `cargo run -p aa-compile --example lowered -- FILE [BASE]`.

use std::path::PathBuf;
use std::sync::Arc;

use aa_dfa::FileRule;
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
    let args: Vec<String> = std::env::args().collect();
    let Some(file) = args.get(1) else {
        eprintln!("usage: lowered FILE [BASE]");
        return;
    };
    let base = PathBuf::from(args.get(2).map(String::as_str).unwrap_or("/etc/apparmor.d"));
    let db = RootDatabase::new(Arc::new(Os), Vec::new(), base, PathBuf::from("/"));
    let root = db.file(&PathBuf::from(file));
    let model = aa_hir::model::policy_model(&db, root);
    for l in aa_compile::lower_policy(&db, model) {
        match l {
            Ok(l) => {
                let mut input = l.input.clone();
                for f in std::mem::take(&mut input.files) {
                    println!("file {} {:?}", String::from_utf8_lossy(&f.path), FileRule { path: Vec::new(), ..f });
                }
                println!("{input:#?}");
            }
            Err(e) => println!("error: {e:?}"),
        }
    }
}
