//! The transition graph against `aa-lint exec`'s own logic, edge for edge:
//! every exec edge of the stack fixtures, of Debian's policy and of a sample
//! of the apparmor.d collection's build is re-decided by
//! `aa_compile::stack::exec::exec` for the edge's sample program. Where the
//! compiled profile picks the edge's own rule there (no other rule
//! overrides it), the label must be the edge's target, and a failed edge
//! must be a denied exec. The DOT output must render with Graphviz.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aa_compile::stack::StackPolicy;
use aa_compile::stack::exec::{Decision, Program, exec};
use aa_hir::db::{Db, FileContent, RootDatabase};
use aa_ide::transitions::{NodeKind, TransitionGraph};
use aa_label::Label;
use aa_test_utils::FsLoader;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The policy files of a directory, as `apparmor_parser` loads one.
fn policy_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.retain(|p| !aa_hir::includes::is_skipped_file_name(&p.file_name().unwrap_or_default().to_string_lossy()));
    files.sort();
    files
}

/// aa-dfa's pinned default feature set (the file automaton that decides
/// exec rules does not depend on it).
fn features() -> aa_dfa::Features {
    let path = workspace().join("crates/aa-dfa/tests/features/default");
    aa_dfa::Features::parse(&std::fs::read_to_string(path).expect("aa-dfa's features file"))
}

struct Checked {
    edges: usize,
    /// Edges whose profile aa-compile cannot compile yet (4.x rules).
    not_compiled: usize,
    decided_by_own_rule: usize,
    disagreements: Vec<String>,
}

/// Re-decides every `step`-th exec edge of the graph of `files`.
fn check(base: &Path, includes: Vec<PathBuf>, files: &[PathBuf], step: usize) -> (TransitionGraph, Checked) {
    let db = RootDatabase::new(Arc::new(FsLoader), includes, base.to_path_buf(), base.to_path_buf());
    let roots: Vec<_> =
        files.iter().map(|p| db.file(p)).filter(|f| matches!(f.content(&db), FileContent::Text(_))).collect();
    let policy = StackPolicy::new(&db, &roots, aa_compile::options(features()));
    let graph = TransitionGraph::build(&policy);
    let mut checked = Checked { edges: 0, not_compiled: 0, decided_by_own_rule: 0, disagreements: Vec::new() };
    for edge in graph.edges.iter().filter(|e| e.sample.is_some()).step_by(step.max(1)) {
        let NodeKind::Profile(from) = graph.nodes[edge.from].kind else { panic!("an edge from a non-profile") };
        let sample = edge.sample.as_deref().unwrap();
        checked.edges += 1;
        let label = Label::single(policy.profile(from).name.clone());
        let outcome = exec(&policy, &label, &Program { path: sample, xattrs: &[] });
        let step = &outcome.steps[0];
        if let Decision::NotCompiled(_) = step.decision {
            checked.not_compiled += 1;
            continue;
        }
        let own = match &step.decision {
            // The compiled profile decides with the edge's rule and mode (a
            // rule of higher priority, or one merged with it, overrides it).
            Decision::Rule(r) => {
                edge.rules.iter().any(|(i, _)| r.rules.contains(i))
                    && edge.text.split(' ').next() == Some(r.mode.as_str())
            }
            _ => false,
        };
        if !own {
            if std::env::var_os("AA_GRAPH_DEBUG").is_some() {
                eprintln!("{} {sample}: {:?}", graph.nodes[edge.from].name, step.decision);
            }
            continue;
        }
        checked.decided_by_own_rule += 1;
        let target = &graph.nodes[edge.to];
        let agrees = match (&step.result, &target.kind) {
            (Err(_), NodeKind::Failure) => true,
            (Ok(l), NodeKind::Profile(_) | NodeKind::Label) => l.to_string() == target.name,
            _ => false,
        };
        if !agrees {
            checked.disagreements.push(format!(
                "{} --{}--> {} but exec {} {sample} gives {:?}",
                graph.nodes[edge.from].name, edge.text, target.name, label, step.result
            ));
        }
    }
    (graph, checked)
}

/// Renders DOT with Graphviz's `dot` when it is installed (CI installs it).
fn renders(dot: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let child =
        Command::new("dot").arg("-Tsvg").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("\n!!! SKIPPED rendering: Graphviz `dot` is not installed !!!\n");
            return;
        }
        Err(e) => panic!("Graphviz `dot` is needed under CI: {e}"),
    };
    let mut stdin = child.stdin.take().unwrap();
    let text = dot.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "dot failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"), "dot wrote no SVG");
}

#[test]
fn stack_fixtures_agree_with_exec() {
    let dir = workspace().join("fixtures/stacks");
    let mut files: Vec<PathBuf> = policy_files(&dir);
    files.retain(|p| p.extension().is_some_and(|e| e == "aa"));
    assert!(files.len() >= 11);
    let mut total = 0;
    for file in &files {
        let (graph, checked) = check(&dir, vec![dir.join("include")], std::slice::from_ref(file), 1);
        assert!(checked.disagreements.is_empty(), "{}: {:#?}", file.display(), checked.disagreements);
        total += checked.decided_by_own_rule;
        renders(&graph.to_dot());
    }
    assert!(total >= 10, "only {total} fixture edges were decided by their own rule");
}

#[test]
fn debian_policy_agrees_with_exec_and_renders() {
    let dir = Path::new("/etc/apparmor.d");
    let files = policy_files(dir);
    if files.is_empty() {
        assert!(std::env::var_os("CI").is_none(), "CI installs Debian's AppArmor policy");
        eprintln!("\n!!! SKIPPED: no /etc/apparmor.d !!!\n");
        return;
    }
    let (graph, checked) = check(dir, Vec::new(), &files, 1);
    assert!(checked.disagreements.is_empty(), "{:#?}", checked.disagreements);
    assert!(checked.decided_by_own_rule >= 5, "{} of {} edges decided", checked.decided_by_own_rule, checked.edges);
    renders(&graph.to_dot());
}

#[test]
fn apparmor_d_build_agrees_with_exec_and_renders() {
    let dir = workspace().join("../shared/corpus/apparmor.d-prebuilt");
    let files = policy_files(&dir);
    if files.is_empty() {
        eprintln!("\n!!! SKIPPED: {} not found !!!\n", dir.display());
        return;
    }
    // The collection's abstractions and tunables are in the folder itself.
    let (graph, checked) = check(&dir, Vec::new(), &files, 100);
    eprintln!(
        "apparmor.d: {} nodes, {} edges; {} sampled, {} not compiled, {} decided by their own rule",
        graph.nodes.len(),
        graph.edges.len(),
        checked.edges,
        checked.not_compiled,
        checked.decided_by_own_rule
    );
    assert!(checked.disagreements.is_empty(), "{:#?}", checked.disagreements);
    let compiled = checked.edges - checked.not_compiled;
    assert!(
        compiled >= 10 && checked.decided_by_own_rule * 2 >= compiled,
        "most sampled edges of compiled profiles should be decided by their rule"
    );
    renders(&graph.to_dot());
}
