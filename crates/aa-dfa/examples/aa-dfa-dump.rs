//! Prints the decoded form of a binary policy file (`apparmor_parser -S`
//! output): `cargo run -p aa-dfa --example aa-dfa-dump -- FILE [--tokens]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: aa-dfa-dump FILE [--tokens]");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    if args.next().as_deref() == Some("--tokens") {
        match aa_dfa::wire::tokenize(&bytes) {
            Ok(t) => print!("{}", aa_dfa::wire::TokenDump(&t)),
            Err(e) => eprintln!("{path}: {e}"),
        }
        return;
    }
    match aa_dfa::Policy::decode(&bytes) {
        Ok(p) => print!("{p}"),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
