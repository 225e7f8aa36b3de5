//! A real headless Neovim (0.7+) client against the real `aa-lint lsp`:
//! open a profile, wait for diagnostics, hover, completion, definition, edit,
//! format, apply a lint's quick fix.
//! Runs `editors/neovim/tests/real_server.lua`. Skips, loudly, without `nvim`.

mod support;

use std::process::Command;

#[test]
fn neovim_against_the_real_server() {
    if Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("SKIPPED neovim_against_the_real_server: `nvim` is not installed");
        return;
    }
    let binary = support::aa_lint_binary();
    let editors = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/neovim");
    let output = Command::new("timeout")
        .args(["120", "nvim", "--headless", "-u", "NONE", "-i", "NONE", "-c", "luafile tests/real_server.lua"])
        .current_dir(&editors)
        .env("AA_LINT_BIN", &binary)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run nvim");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{stderr}");
    assert!(output.status.success(), "nvim failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("8 passed, 0 failed"), "{stdout}");
}

/// Call hierarchy of exec transitions through Neovim (tests/call_hierarchy.lua).
#[test]
fn neovim_call_hierarchy() {
    if Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("SKIPPED neovim_call_hierarchy: `nvim` is not installed");
        return;
    }
    let binary = support::aa_lint_binary();
    let editors = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/neovim");
    let output = Command::new("timeout")
        .args(["120", "nvim", "--headless", "-u", "NONE", "-i", "NONE", "-c", "luafile tests/call_hierarchy.lua"])
        .current_dir(&editors)
        .env("AA_LINT_BIN", &binary)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run nvim");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{stderr}");
    assert!(output.status.success(), "nvim failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("5 passed, 0 failed"), "{stdout}");
}
