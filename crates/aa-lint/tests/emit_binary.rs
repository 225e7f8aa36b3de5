//! `aa-lint compile --emit binary`: the bytes `apparmor_parser -S` writes.
//!
//! The oracle is the installed `apparmor_parser` (3.0.8); without it the
//! comparisons are skipped loudly and only the parser-free checks run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

fn parser() -> Option<PathBuf> {
    let found = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"].iter().map(PathBuf::from).find(|p| p.exists());
    if found.is_none() {
        eprintln!("\n!!! SKIPPING: apparmor_parser is not installed; oracle checks did not run !!!\n");
    }
    found
}

fn features(name: &str) -> String {
    format!("crates/aa-dfa/tests/features/{name}")
}

/// Runs `aa-lint compile --emit binary` with a features pin; (exit code,
/// stdout bytes, stderr text).
fn ours(features_name: &str, files: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
        .args(["compile", "--target", "3.0", "-M", &features(features_name), "--emit", "binary"])
        .args(files)
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .output()
        .expect("run aa-lint");
    (out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn theirs(parser: &Path, features_name: &str, files: &[&str]) -> Vec<u8> {
    let out = Command::new(parser)
        .args(["--config-file=/dev/null", "-QKS", "-M", &features(features_name)])
        .args(files)
        .current_dir(repo_root())
        .output()
        .expect("run apparmor_parser");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Several profiles, hats and a child profile, a namespaced transition,
/// rlimits, flags and every policydb class; with and without
/// differential encoding and fine-grained unix mediation.
#[test]
fn byte_identical_to_apparmor_parser() {
    let files = ["fixtures/cli/profiles/binary.aa", "fixtures/cli/cases/compile-basic.aa"];
    let parser = parser();
    for features_name in ["default", "diff-encode", "all-no-policy-v8"] {
        let mut each = Vec::new();
        for file in files {
            let (code, bytes, err) = ours(features_name, &[file]);
            assert_eq!(code, 0, "{err}");
            aa_dfa::Policy::decode(&bytes).expect("our output decodes");
            if let Some(parser) = &parser {
                let expected = theirs(parser, features_name, &[file]);
                if bytes != expected {
                    let at = bytes.iter().zip(&expected).position(|(a, b)| a != b);
                    panic!(
                        "{file}, features {features_name}: {} bytes vs apparmor_parser's {}, \
                         first difference at {at:?}",
                        bytes.len(),
                        expected.len()
                    );
                }
            }
            each.extend(bytes);
        }
        // Several files: their streams in argument order (apparmor_parser
        // compiles files in parallel and writes them as they finish).
        let (code, bytes, err) = ours(features_name, &files);
        assert_eq!(code, 0, "{err}");
        assert!(bytes == each, "two files are not the two streams in order");
    }
}

/// A policy with an error writes nothing on standard output.
#[test]
fn errors_write_nothing() {
    let (code, bytes, err) = ours("default", &["fixtures/cli/cases/compile-conflict.aa"]);
    assert_eq!(code, 1, "{err}");
    assert!(bytes.is_empty(), "{} bytes written", bytes.len());
    assert!(err.contains("conflicting"), "{err}");
}

/// Binary output is refused on a terminal (util-linux `script` provides
/// one; skipped without it).
#[test]
fn refuses_a_terminal() {
    let Some(script) = ["/usr/bin/script", "/bin/script"].into_iter().find(|p| Path::new(p).exists()) else {
        eprintln!("note: util-linux `script` is not installed; terminal refusal not checked");
        return;
    };
    let line = format!("'{}' compile --emit binary fixtures/cli/cases/compile-basic.aa", env!("CARGO_BIN_EXE_aa-lint"));
    let out = Command::new(script)
        .args(["-qec", &line, "/dev/null"])
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .output()
        .expect("run script");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("refusing to write a binary policy to a terminal"), "{text}");
}

/// More files than one database serves (files are compiled in groups, a
/// wave of groups at a time, and written as each wave ends): still every
/// stream in argument order, on one thread and on two.
#[test]
fn many_files_keep_argument_order() {
    let pair = ["fixtures/cli/profiles/binary.aa", "fixtures/cli/cases/compile-basic.aa"];
    let streams: Vec<Vec<u8>> = pair.iter().map(|f| ours("default", &[f]).1).collect();
    assert!(streams.iter().all(|s| !s.is_empty()) && streams[0] != streams[1]);
    // 25 files: a file's position decides which of the two it is.
    let files: Vec<&str> = (0..25).map(|i| pair[(i * i) % 2]).collect();
    let expected: Vec<u8> = (0..25).flat_map(|i| streams[(i * i) % 2].clone()).collect();
    for threads in ["1", "2"] {
        let out = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
            .args(["compile", "-M", &features("default"), "--emit", "binary"])
            .args(&files)
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(repo_root())
            .stdin(Stdio::null())
            .output()
            .expect("run aa-lint");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout == expected, "{threads} thread(s): streams out of order or changed");
    }
}

/// Upstream's `exploding_profile.sd`: rules with `**` in the middle and a
/// shared `/**` tail explode a subset construction that keeps every rule's
/// copy of the tail apart (over 500,000 states); sharing equal suffixes
/// and prefixes, as the parser's tree simplification does, keeps it at the
/// parser's size. Byte-identical to apparmor_parser, with the limits on.
#[test]
fn exploding_profile_compiles_like_the_parser() {
    let path = "/work/shared/upstream/tst/simple_tests/profile/exploding_profile.sd";
    if !Path::new(path).exists() {
        eprintln!("\n!!! SKIPPING: {path} not found !!!\n");
        return;
    }
    let (code, bytes, err) = ours("default", &[path]);
    assert_eq!(code, 0, "{err}");
    if let Some(parser) = parser() {
        assert!(bytes == theirs(&parser, "default", &[path]), "not byte-identical to apparmor_parser");
    }
}
