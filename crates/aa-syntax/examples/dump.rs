//! `cargo run -p aa-syntax --example dump -- FILE...`: prints the tree and
//! errors of each file (a debugging aid; `aa-lint parse` is the real tool).
//! With `ERRORS_ONLY=1`, prints one `path<TAB>error count` line per file.

fn main() {
    for path in std::env::args().skip(1) {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                eprintln!("{path}: {err}");
                continue;
            }
        };
        let parse = aa_syntax::parse(&text);
        if std::env::var_os("ERRORS_ONLY").is_some() {
            println!("{path}\t{}", parse.errors().len());
        } else {
            print!("{}", parse.debug_dump());
        }
    }
}
