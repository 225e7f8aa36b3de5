//! `aa-lint fmt` and `aa-lint check --fix` replace a file atomically: a
//! process killed (SIGKILL or SIGTERM) at any moment leaves the old text or
//! the new one, never a truncated profile; permissions are kept and a
//! symbolic link is written through to its target.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;

use common::TempDir;

/// A large profile file that `fmt` reindents and `--fix` changes.
fn large_policy() -> String {
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!("profile p{i} /usr/bin/p{i} {{\n/etc/p{i} r,\n      /var/lib/p{i}/** rw,\n}}\n"));
    }
    text
}

fn args(command: &str, file: &str) -> Vec<String> {
    match command {
        "fmt" => vec!["fmt".into(), file.into()],
        _ => ["check", "--config-file", "/dev/null", "--base", ".", "--fix", "--extend-select", "style", file]
            .map(String::from)
            .to_vec(),
    }
}

/// Runs to the end; how long it took.
fn run_to_end(dir: &Path, command: &str, file: &str) -> Duration {
    let start = std::time::Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
        .args(args(command, file))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run aa-lint");
    assert!(matches!(status.code(), Some(0 | 1)), "{command}: {status:?}");
    start.elapsed()
}

#[test]
fn interrupted_writes_leave_the_old_or_the_new_file() {
    let temp = TempDir::new("atomic", "interrupt");
    let old = large_policy();
    for command in ["fmt", "fix"] {
        let path = temp.0.join("usr.bin.big");
        std::fs::write(&path, &old).expect("write");
        let took = run_to_end(&temp.0, command, "usr.bin.big");
        let new = std::fs::read_to_string(&path).expect("read");
        assert_ne!(new, old, "{command} changes the file");

        // Kill it at moments spread over a whole run (reading, analysing,
        // writing), alternating the signal.
        let mut outcomes = (0, 0);
        for round in 0..8u64 {
            std::fs::write(&path, &old).expect("restore");
            let mut child = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
                .args(args(command, "usr.bin.big"))
                .current_dir(&temp.0)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn aa-lint");
            std::thread::sleep(took.mul_f64(0.6 + round as f64 * 0.08));
            if round % 2 == 0 {
                let _ = child.kill();
            } else {
                let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            }
            let _ = child.wait();
            let now = std::fs::read_to_string(&path).expect("the file is still there");
            assert!(
                now == old || now == new,
                "{command}, round {round}: the file is neither old nor new ({} bytes)",
                now.len()
            );
            if now == old {
                outcomes.0 += 1;
            } else {
                outcomes.1 += 1;
            }
        }
        eprintln!("{command}: {} interrupted before the rename, {} after", outcomes.0, outcomes.1);
        // Left-over temporary files of killed runs are hidden, named after the file.
        for entry in std::fs::read_dir(&temp.0).expect("read_dir").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(name == "usr.bin.big" || name.starts_with(".usr.bin.big.aa-lint-"), "{name}");
            if name != "usr.bin.big" {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

#[test]
fn permissions_and_symlinks_are_kept() {
    let temp = TempDir::new("atomic", "links");
    let real = temp.0.join("real");
    std::fs::create_dir_all(&real).expect("mkdir");
    let target = real.join("usr.bin.small");
    std::fs::write(&target, "profile small /usr/bin/small {\n/etc/small r,\n}\n").expect("write");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink("real/usr.bin.small", temp.0.join("link")).expect("symlink");
    for command in ["fmt", "fix"] {
        run_to_end(&temp.0, command, "link");
        let link = std::fs::symlink_metadata(temp.0.join("link")).expect("link");
        assert!(link.file_type().is_symlink(), "{command}: the link is still a link");
        let meta = std::fs::metadata(&target).expect("target");
        assert_eq!(meta.permissions().mode() & 0o777, 0o640, "{command}: permissions kept");
    }
    let text = std::fs::read_to_string(&target).expect("read");
    assert!(text.contains("\n  /etc/small r,\n"), "written through the link: {text}");
    let names: Vec<String> =
        std::fs::read_dir(&real).expect("read_dir").flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
    assert_eq!(names, vec!["usr.bin.small".to_string()], "no temporary file is left");
}

/// `suggest --write` goes through the same writer: a policy file reached
/// through a symlink is written through it, with its permissions.
#[test]
fn suggest_write_keeps_symlinks_and_permissions() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cli/suggest");
    let temp = TempDir::new("atomic", "suggest");
    let real = temp.0.join("real");
    std::fs::create_dir_all(&real).expect("mkdir");
    let target = real.join("pinger");
    std::fs::copy(fixtures.join("policy/pinger"), &target).expect("copy");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink("real/pinger", temp.0.join("link")).expect("symlink");
    let features = Path::new(env!("CARGO_MANIFEST_DIR")).join("../aa-dfa/tests/features/default");
    let output = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
        .current_dir(&temp.0)
        .args(["suggest", "--target", "4.1", "-M"])
        .arg(&features)
        .arg("-b")
        .arg(&real)
        .arg("--log")
        .arg(fixtures.join("audit.log"))
        .args(["--write", "link"])
        .output()
        .expect("run aa-lint suggest");
    assert_eq!(output.status.code(), Some(1), "suggestions made: {}", String::from_utf8_lossy(&output.stderr));
    let link = std::fs::symlink_metadata(temp.0.join("link")).expect("link");
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert_eq!(std::fs::metadata(&target).expect("target").permissions().mode() & 0o777, 0o640, "permissions kept");
    let text = std::fs::read_to_string(&target).expect("read");
    assert!(text.contains("capability net_admin,"), "written through the link: {text}");
    let names: Vec<String> =
        std::fs::read_dir(&real).expect("read_dir").flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
    assert_eq!(names, vec!["pinger".to_string()], "no temporary file is left");
}
