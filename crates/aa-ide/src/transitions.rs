//! The transition graph of a policy: which label each profile's exec and
//! `change_profile` rules lead to, for `aa-lint graph` (Graphviz DOT and
//! Mermaid) and the editor's call hierarchy.
//!
//! The edges come from [`aa_compile::stack::graph::transitions`], which
//! decides each rule with the same transition logic as `aa-lint exec` on a
//! sample program the rule covers. Here they are grouped: one node per
//! profile, one per label that is not a single profile of the policy (a
//! stack such as `app//&global`, `unconfined`), and one edge per distinct
//! (from, to, rule text) with the rules behind it. A rule that keeps the
//! profile as it is (`ix`, an `ix` fallback taken) is no edge; a rule that
//! fails (nothing attaches, an undefined target) is an edge to a node that
//! says why, drawn dashed.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use std::path::{Path, PathBuf};

use aa_compile::stack::StackPolicy;
use aa_compile::stack::graph::{Edge, EdgeKind, transitions};
use aa_hir::db::{Db, FileContent};
use aa_hir::model::{Origin, policy_model};
use aa_syntax::{TextRange, TextSize};

/// What a node of the graph stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A profile of the policy (an index into [`StackPolicy::profiles`]).
    Profile(usize),
    /// A label that is not one profile of the policy: a stack, `unconfined`.
    Label,
    /// A transition that fails; the text says why.
    Failure,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The profile name, the label, or the failure's reason.
    pub name: String,
    pub kind: NodeKind,
}

/// The rules of one edge, by their place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEdge {
    pub from: usize,
    pub to: usize,
    /// `px`, `pix -> &global`, `change_profile -> other`.
    pub text: String,
    /// The rules that make this edge: their index among the `from`
    /// profile's model rules, and where they are written.
    pub rules: Vec<(usize, Origin)>,
    /// A program the rule covers, the one the edge was decided for (exec
    /// rules only).
    pub sample: Option<String>,
}

/// The nodes and edges of a policy's transitions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitionGraph {
    pub nodes: Vec<Node>,
    pub edges: Vec<GraphEdge>,
}

impl TransitionGraph {
    /// The graph of every profile of `policy`.
    pub fn build(policy: &StackPolicy<'_>) -> TransitionGraph {
        let mut graph = TransitionGraph::default();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for (i, p) in policy.profiles().iter().enumerate() {
            by_name.insert(p.name.to_string(), graph.nodes.len());
            graph.nodes.push(Node { name: p.name.to_string(), kind: NodeKind::Profile(i) });
        }
        // (from, to, text) -> index in edges, in rule order.
        let mut merged: BTreeMap<(usize, usize, String), usize> = BTreeMap::new();
        for edge in transitions(policy) {
            let Some(to) = graph.target_node(policy, &mut by_name, &edge) else { continue };
            let from = edge.from;
            let text = edge.text();
            let origin = policy.profile(from).rule(edge.rule).map(|r| r.origin.clone());
            let sample = match &edge.kind {
                EdgeKind::Exec { sample, .. } => Some(sample.clone()),
                EdgeKind::ChangeProfile => None,
            };
            let index = *merged.entry((from, to, text.clone())).or_insert_with(|| {
                graph.edges.push(GraphEdge { from, to, text, rules: Vec::new(), sample });
                graph.edges.len() - 1
            });
            graph.edges[index].rules.extend(origin.map(|o| (edge.rule, o)));
        }
        graph
    }

    /// The node an edge leads to, added when new; `None` for a rule that
    /// leaves the profile as it is.
    fn target_node(
        &mut self,
        policy: &StackPolicy<'_>,
        by_name: &mut HashMap<String, usize>,
        edge: &Edge,
    ) -> Option<usize> {
        let (name, kind) = match &edge.result {
            Ok(label) => {
                let own = &policy.profile(edge.from).name;
                if label.len() == 1 && label.layers()[0] == *own {
                    return None;
                }
                let kind = match label.layers() {
                    [one] => policy.find(one).map_or(NodeKind::Label, NodeKind::Profile),
                    _ => NodeKind::Label,
                };
                (label.to_string(), kind)
            }
            Err(reason) => (reason.clone(), NodeKind::Failure),
        };
        let key = match kind {
            NodeKind::Failure => format!("\0{name}"),
            _ => name.clone(),
        };
        Some(*by_name.entry(key).or_insert_with(|| {
            self.nodes.push(Node { name, kind });
            self.nodes.len() - 1
        }))
    }

    /// The graph restricted to the edges into or out of the profile named
    /// `name` (and the nodes they touch); `None` when no node has that name.
    pub fn around(&self, name: &str) -> Option<TransitionGraph> {
        let center = self.nodes.iter().position(|n| n.name == name && n.kind != NodeKind::Failure)?;
        let mut keep: BTreeMap<usize, usize> = BTreeMap::new();
        keep.insert(center, 0);
        let edges: Vec<&GraphEdge> = self.edges.iter().filter(|e| e.from == center || e.to == center).collect();
        for e in &edges {
            keep.insert(e.from, 0);
            keep.insert(e.to, 0);
        }
        let mut out = TransitionGraph::default();
        for (old, new) in keep.iter_mut() {
            *new = out.nodes.len();
            out.nodes.push(self.nodes[*old].clone());
        }
        out.edges =
            edges.into_iter().map(|e| GraphEdge { from: keep[&e.from], to: keep[&e.to], ..e.clone() }).collect();
        Some(out)
    }

    /// The edges out of node `node`.
    pub fn outgoing(&self, node: usize) -> impl Iterator<Item = &GraphEdge> {
        self.edges.iter().filter(move |e| e.from == node)
    }

    /// The edges into node `node`.
    pub fn incoming(&self, node: usize) -> impl Iterator<Item = &GraphEdge> {
        self.edges.iter().filter(move |e| e.to == node)
    }

    /// The node of the profile named `name`.
    pub fn profile_node(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name && matches!(n.kind, NodeKind::Profile(_)))
    }

    /// Graphviz DOT: profiles as boxes, other labels as rounded boxes,
    /// failures as dashed notes; each edge labelled by its rule, with the
    /// number of rules when more than one.
    pub fn to_dot(&self) -> String {
        let mut out =
            String::from("digraph transitions {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let style = match n.kind {
                NodeKind::Profile(_) => "",
                NodeKind::Label => ", style=rounded",
                NodeKind::Failure => ", shape=note, style=dashed",
            };
            let _ = writeln!(out, "  n{i} [label={}{style}];", dot_string(&n.name));
        }
        for e in &self.edges {
            let style = if self.nodes[e.to].kind == NodeKind::Failure { ", style=dashed" } else { "" };
            let _ = writeln!(out, "  n{} -> n{} [label={}{style}];", e.from, e.to, dot_string(&edge_label(e)));
        }
        out.push_str("}\n");
        out
    }

    /// A Mermaid flowchart of the same graph.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let text = mermaid_string(&n.name);
            let _ = match n.kind {
                NodeKind::Profile(_) => writeln!(out, "  n{i}[\"{text}\"]"),
                NodeKind::Label => writeln!(out, "  n{i}(\"{text}\")"),
                NodeKind::Failure => writeln!(out, "  n{i}>\"{text}\"]"),
            };
        }
        for e in &self.edges {
            let arrow = if self.nodes[e.to].kind == NodeKind::Failure { "-.->" } else { "-->" };
            let _ = writeln!(out, "  n{} {arrow}|\"{}\"| n{}", e.from, mermaid_string(&edge_label(e)), e.to);
        }
        out
    }
}

/// A profile (or another label) in the call hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallItem {
    /// The profile's name, a label (`evince//&global`), or why a
    /// transition fails.
    pub name: String,
    /// `profile`, `stack`, `fails`.
    pub detail: &'static str,
    pub path: PathBuf,
    /// The profile (for a label or failure: the rule that leads to it).
    pub range: TextRange,
    pub selection: TextRange,
}

/// One side of a transition: the other profile, and the rules (in the
/// caller's file: the include line when the rule comes from an abstraction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub item: CallItem,
    pub ranges: Vec<TextRange>,
    /// The rule text (`px`, `pix -> &global`).
    pub text: String,
}

/// Where a rule is, in the file of the profile that holds it.
fn caller_range(origin: &Origin) -> (aa_hir::db::File, TextRange) {
    let at = origin.via.first().unwrap_or(&origin.location);
    (at.file, at.range)
}

/// The policy the call hierarchy sees: `files` (the workspace's and the
/// open ones) that hold profiles, each once.
fn workspace_policy<'db>(db: &'db dyn Db, files: &[PathBuf]) -> StackPolicy<'db> {
    let mut seen = std::collections::HashSet::new();
    let roots: Vec<_> = files
        .iter()
        .filter(|p| seen.insert(p.as_path()))
        .map(|p| db.file(p))
        .filter(|f| matches!(f.content(db), FileContent::Text(_)))
        .filter(|&f| !policy_model(db, f).profiles.is_empty())
        .collect();
    let opts = aa_compile::options_for(aa_hir::db::target(db), aa_dfa::Features::parse(""));
    StackPolicy::new(db, &roots, opts)
}

fn profile_item(db: &dyn Db, policy: &StackPolicy<'_>, index: usize) -> CallItem {
    let p = policy.profile(index);
    let at = p.model().origin.location;
    CallItem {
        name: p.name.to_string(),
        detail: "profile",
        path: at.file.path(db).clone(),
        range: at.range,
        selection: at.range,
    }
}

fn node_item(db: &dyn Db, policy: &StackPolicy<'_>, graph: &TransitionGraph, edge: &GraphEdge) -> CallItem {
    let node = &graph.nodes[edge.to];
    match node.kind {
        NodeKind::Profile(i) => profile_item(db, policy, i),
        NodeKind::Label | NodeKind::Failure => {
            let (file, range) = edge.rules.first().map_or_else(
                || {
                    let NodeKind::Profile(from) = graph.nodes[edge.from].kind else {
                        unreachable!("edges start at profiles")
                    };
                    let at = policy.profile(from).model().origin.location;
                    (at.file, at.range)
                },
                |(_, o)| caller_range(o),
            );
            let detail = if node.kind == NodeKind::Label { "stack" } else { "fails" };
            CallItem { name: node.name.clone(), detail, path: file.path(db).clone(), range, selection: range }
        }
    }
}

/// The innermost profile of `path` around `offset`.
pub(crate) fn prepare(db: &dyn Db, path: &Path, offset: TextSize) -> Vec<CallItem> {
    let file = db.file(path);
    if !matches!(file.content(db), FileContent::Text(_)) {
        return Vec::new();
    }
    let model = policy_model(db, file);
    model
        .profiles
        .iter()
        .filter(|p| p.origin.location.file == file && p.origin.location.range.contains_inclusive(offset))
        .min_by_key(|p| p.origin.location.range.len())
        .map(|p| {
            let range = p.origin.location.range;
            CallItem { name: p.name.clone(), detail: "profile", path: path.to_path_buf(), range, selection: range }
        })
        .into_iter()
        .collect()
}

/// The transitions out of the profile `name`, over the policy of `files`.
pub(crate) fn outgoing(db: &dyn Db, files: &[PathBuf], name: &str) -> Vec<Call> {
    let policy = workspace_policy(db, files);
    let graph = TransitionGraph::build(&policy);
    let Some(node) = graph.profile_node(name) else { return Vec::new() };
    graph
        .outgoing(node)
        .map(|e| Call {
            item: node_item(db, &policy, &graph, e),
            ranges: e.rules.iter().map(|(_, o)| caller_range(o).1).collect(),
            text: e.text.clone(),
        })
        .collect()
}

/// The transitions into the profile `name` (directly, or as a layer of the
/// label an exec leads to), over the policy of `files`.
pub(crate) fn incoming(db: &dyn Db, files: &[PathBuf], name: &str) -> Vec<Call> {
    let policy = workspace_policy(db, files);
    let graph = TransitionGraph::build(&policy);
    let Ok(wanted) = aa_label::ProfileName::parse(name) else { return Vec::new() };
    graph
        .edges
        .iter()
        .filter(|e| {
            let to = &graph.nodes[e.to];
            match to.kind {
                NodeKind::Profile(i) => policy.profile(i).name == wanted,
                NodeKind::Label => aa_label::Label::parse(&to.name).is_ok_and(|l| l.contains(&wanted)),
                NodeKind::Failure => false,
            }
        })
        .map(|e| {
            let NodeKind::Profile(from) = graph.nodes[e.from].kind else { unreachable!("edges start at profiles") };
            Call {
                item: profile_item(db, &policy, from),
                ranges: e.rules.iter().map(|(_, o)| caller_range(o).1).collect(),
                text: e.text.clone(),
            }
        })
        .collect()
}

fn edge_label(e: &GraphEdge) -> String {
    if e.rules.len() > 1 { format!("{} ({} rules)", e.text, e.rules.len()) } else { e.text.clone() }
}

/// A DOT quoted string.
fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text inside a Mermaid quoted label: a quote would end it and a `|`
/// would end an edge label, so both become entity codes.
fn mermaid_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '|' => out.push_str("#124;"),
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(dot_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(mermaid_string("px -> &\"a\"|b"), "px -> &#quot;a#quot;#124;b");
    }
}
