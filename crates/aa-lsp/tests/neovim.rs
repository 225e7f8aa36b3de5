//! A real headless Neovim (0.7+) client against the real `aa-lint lsp`:
//! open a profile, wait for diagnostics, hover, completion, definition, edit,
//! format, apply a lint's quick fix (`editors/neovim/tests/real_server.lua`);
//! the call hierarchy of exec transitions (`tests/call_hierarchy.lua`); the
//! log hints and their code actions (`tests/log_hints.lua`).
//! Skips, loudly, without `nvim`.

mod support;

use std::process::Command;

/// Runs one Lua test of `editors/neovim` against the real server and checks
/// its summary line.
fn run_neovim_test(script: &str, summary: &str) {
    if Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("SKIPPED {script}: `nvim` is not installed");
        return;
    }
    let binary = support::aa_lint_binary();
    let editors = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/neovim");
    let output = Command::new("timeout")
        .args(["120", "nvim", "--headless", "-u", "NONE", "-i", "NONE", "-c", &format!("luafile {script}")])
        .current_dir(&editors)
        .env("AA_LINT_BIN", &binary)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run nvim");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{stderr}");
    assert!(output.status.success(), "nvim failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(summary), "{stdout}");
}

#[test]
fn neovim_against_the_real_server() {
    run_neovim_test("tests/real_server.lua", "8 passed, 0 failed");
}

/// Call hierarchy of exec transitions through Neovim.
#[test]
fn neovim_call_hierarchy() {
    run_neovim_test("tests/call_hierarchy.lua", "5 passed, 0 failed");
}

/// Log hints from a configured log file, and their "add all" action.
#[test]
fn neovim_log_hints() {
    run_neovim_test("tests/log_hints.lua", "8 passed, 0 failed");
}
