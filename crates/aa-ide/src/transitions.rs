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

use aa_compile::stack::StackPolicy;
use aa_compile::stack::graph::{Edge, EdgeKind, transitions};
use aa_hir::variables::Location;

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
    pub rules: Vec<(usize, Location)>,
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
            let location = policy.profile(from).rule(edge.rule).map(|r| r.origin.location);
            let sample = match &edge.kind {
                EdgeKind::Exec { sample, .. } => Some(sample.clone()),
                EdgeKind::ChangeProfile => None,
            };
            let index = *merged.entry((from, to, text.clone())).or_insert_with(|| {
                graph.edges.push(GraphEdge { from, to, text, rules: Vec::new(), sample });
                graph.edges.len() - 1
            });
            graph.edges[index].rules.extend(location.map(|l| (edge.rule, l)));
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
