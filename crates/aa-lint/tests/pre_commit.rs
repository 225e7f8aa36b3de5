//! The pre-commit hooks of `.pre-commit-hooks.yaml`, for real: a temporary
//! git repository with profiles, `pre-commit try-repo <this repository>
//! aa-lint --all-files`, and the outcome. pre-commit comes from PyPI
//! (`.ci/run` installs it); without it the test says so loudly and passes.
//!
//! The hook builds aa-lint from the repository (a clone pre-commit makes) in
//! the dev profile into `<target>/pre-commit-hook`, so only the first run
//! compiles the dependencies. It tests the committed `HEAD` of this
//! repository (as CI's clone is).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

fn pre_commit() -> Option<Vec<String>> {
    let works = |program: &str, args: &[&str]| {
        Command::new(program).args(args).arg("--version").output().is_ok_and(|o| o.status.success())
    };
    if works("pre-commit", &[]) {
        return Some(vec!["pre-commit".to_owned()]);
    }
    works("python3", &["-m", "pre_commit"]).then(|| ["python3", "-m", "pre_commit"].map(str::to_owned).to_vec())
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=aa-lint test",
            "-c",
            "user.email=test@aa-lint.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

fn head() -> String {
    let output =
        Command::new("git").args(["rev-parse", "HEAD"]).current_dir(repo_root()).output().expect("git rev-parse");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Runs `pre-commit try-repo <repo> <hook> --all-files` in `dir`.
fn try_repo(pre_commit: &[String], dir: &Path, hook: &str) -> (i32, String) {
    // The binary is target/debug/aa-lint: build the hook's copy beside it.
    let target = Path::new(env!("CARGO_BIN_EXE_aa-lint"))
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| repo_root().join("target"), Path::to_path_buf)
        .join("pre-commit-hook");
    let output = Command::new(&pre_commit[0])
        .args(&pre_commit[1..])
        // The committed state (`--ref`), not whatever is being edited.
        .args(["try-repo", &repo_root().display().to_string(), hook, "--ref", &head(), "--all-files", "--verbose"])
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", dir.join(".pre-commit-home"))
        .env("AA_LINT_HOOK_PROFILE", "dev")
        .env("AA_LINT_HOOK_TARGET_DIR", &target)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("run pre-commit");
    (
        output.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)),
    )
}

#[test]
fn aa_lint_hook_passes_clean_profiles_and_fails_broken_ones() {
    let Some(pre_commit) = pre_commit() else {
        eprintln!(
            "\n!!! pre-commit is not installed (`pip install pre-commit`): THE PRE-COMMIT HOOKS WERE NOT TESTED\n"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("aa-lint-pre-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let profiles = dir.join("apparmor.d");
    std::fs::create_dir_all(&profiles).expect("temp dir");
    std::fs::write(dir.join(".gitignore"), ".pre-commit-home/\n").expect("write");
    std::fs::write(
        profiles.join("usr.bin.hooked"),
        "# A clean profile.\nprofile hooked /usr/bin/hooked {\n  /etc/hooked.conf r,\n}\n",
    )
    .expect("write");
    // Not under apparmor.d/: the hook does not look at it.
    std::fs::write(dir.join("notes.txt"), "profile not { a policy\n").expect("write");
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "profiles"]);

    let (code, output) = try_repo(&pre_commit, &dir, "aa-lint");
    assert_eq!(code, 0, "the hook fails on a clean profile:\n{output}");
    assert!(output.contains("aa-lint") && output.contains("Passed"), "{output}");

    std::fs::write(profiles.join("usr.bin.broken"), "profile broken /usr/bin/broken {\n  /etc/broken.conf r\n}\n")
        .expect("write");
    git(&dir, &["add", "."]);
    let (code, output) = try_repo(&pre_commit, &dir, "aa-lint");
    assert_eq!(code, 1, "the hook passes a broken profile:\n{output}");
    assert!(output.contains("Failed") && output.contains("error[AA001 syntax-error]"), "{output}");
    assert!(output.contains("apparmor.d/usr.bin.broken:2:"), "{output}");

    let _ = std::fs::remove_dir_all(&dir);
}
