//! One function per request: LSP params → aa-ide call → LSP result.
//! Stateless; each runs on a snapshot.

use std::collections::HashMap;

use aa_ide::{Analysis, Cancellable, CompletionKind, FoldKind, HighlightKind, SemanticTokenKind, SymbolKind};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::{convert, server::Snapshot};

pub(crate) const TOKEN_TYPES: &[lsp::SemanticTokenType] = &[
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::COMMENT,
    lsp::SemanticTokenType::STRING,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::CLASS,
    lsp::SemanticTokenType::new("path"),
    lsp::SemanticTokenType::new("permission"),
    lsp::SemanticTokenType::PROPERTY,
    lsp::SemanticTokenType::ENUM_MEMBER,
    lsp::SemanticTokenType::OPERATOR,
];

fn token_type(kind: SemanticTokenKind) -> u32 {
    match kind {
        SemanticTokenKind::Keyword => 0,
        SemanticTokenKind::Comment => 1,
        SemanticTokenKind::String => 2,
        SemanticTokenKind::Variable => 3,
        SemanticTokenKind::Profile => 4,
        SemanticTokenKind::Path => 5,
        SemanticTokenKind::Permission => 6,
        SemanticTokenKind::Property => 7,
        SemanticTokenKind::EnumMember => 8,
        SemanticTokenKind::Operator => 9,
    }
}

pub(crate) fn hover(a: &Analysis, s: &Snapshot, pos: lsp::Position) -> Cancellable<Option<lsp::Hover>> {
    Ok(a.hover(&s.path, s.offset(pos))?.map(|h| lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value: h.markdown }),
        range: Some(s.range(h.range)),
    }))
}

pub(crate) fn completion(
    a: &Analysis,
    s: &Snapshot,
    pos: lsp::Position,
) -> Cancellable<Option<lsp::CompletionResponse>> {
    let items = a.completions(&s.path, s.offset(pos))?;
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, it)| {
            let new_text = it.insert_text.clone().unwrap_or_else(|| it.label.clone());
            lsp::CompletionItem {
                label: it.label.clone(),
                kind: Some(match it.kind {
                    CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
                    CompletionKind::Capability
                    | CompletionKind::NetworkFamily
                    | CompletionKind::NetworkType
                    | CompletionKind::Signal => lsp::CompletionItemKind::ENUM_MEMBER,
                    CompletionKind::Permission => lsp::CompletionItemKind::OPERATOR,
                    CompletionKind::Option | CompletionKind::Flag => lsp::CompletionItemKind::PROPERTY,
                    CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
                    CompletionKind::File => lsp::CompletionItemKind::FILE,
                    CompletionKind::Folder => lsp::CompletionItemKind::FOLDER,
                    CompletionKind::Profile => lsp::CompletionItemKind::MODULE,
                    CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
                }),
                insert_text_format: (it.kind == CompletionKind::Snippet).then_some(lsp::InsertTextFormat::SNIPPET),
                detail: it.detail,
                documentation: it.documentation.map(|d| {
                    lsp::Documentation::MarkupContent(lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value: d })
                }),
                // Keep the server's order (it is by relevance).
                sort_text: Some(format!("{i:04}")),
                filter_text: Some(it.label),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit { range: s.range(it.range), new_text })),
                ..Default::default()
            }
        })
        .collect();
    Ok(Some(lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: false, items })))
}

pub(crate) fn goto_definition(
    a: &Analysis,
    s: &Snapshot,
    pos: lsp::Position,
) -> Cancellable<Option<lsp::GotoDefinitionResponse>> {
    let targets = a.goto_definition(&s.path, s.offset(pos))?;
    let mut locations = Vec::new();
    for t in targets {
        if let Some(mut loc) = s.location(a, &t.path, t.focus_range)? {
            if t.path == s.path {
                loc.range = s.range(t.focus_range);
            }
            locations.push(loc);
        }
    }
    Ok(if locations.is_empty() { None } else { Some(lsp::GotoDefinitionResponse::Array(locations)) })
}

pub(crate) fn references(
    a: &Analysis,
    s: &Snapshot,
    pos: lsp::Position,
    include_declaration: bool,
) -> Cancellable<Option<Vec<lsp::Location>>> {
    let refs = a.references(&s.path, s.offset(pos), include_declaration)?;
    let mut out = Vec::new();
    for r in refs {
        if let Some(loc) = s.location(a, &r.path, r.range)? {
            out.push(loc);
        }
    }
    Ok(Some(out))
}

pub(crate) fn document_highlight(
    a: &Analysis,
    s: &Snapshot,
    pos: lsp::Position,
) -> Cancellable<Option<Vec<lsp::DocumentHighlight>>> {
    Ok(Some(
        a.document_highlight(&s.path, s.offset(pos))?
            .into_iter()
            .map(|h| lsp::DocumentHighlight {
                range: s.range(h.range),
                kind: Some(match h.kind {
                    HighlightKind::Read => lsp::DocumentHighlightKind::READ,
                    HighlightKind::Write => lsp::DocumentHighlightKind::WRITE,
                }),
            })
            .collect(),
    ))
}

pub(crate) fn prepare_rename(
    a: &Analysis,
    s: &Snapshot,
    pos: lsp::Position,
) -> Cancellable<Option<lsp::PrepareRenameResponse>> {
    Ok(a.prepare_rename(&s.path, s.offset(pos))?.map(|r| lsp::PrepareRenameResponse::Range(s.range(r))))
}

pub(crate) fn rename(
    a: &Analysis,
    s: &Snapshot,
    pos: lsp::Position,
    new_name: &str,
) -> Cancellable<Result<Option<lsp::WorkspaceEdit>, String>> {
    let change = match a.rename(&s.path, s.offset(pos), new_name)? {
        Ok(change) => change,
        Err(message) => return Ok(Err(message)),
    };
    Ok(Ok(Some(workspace_edit(a, s, change)?)))
}

fn workspace_edit(a: &Analysis, s: &Snapshot, change: aa_ide::SourceChange) -> Cancellable<lsp::WorkspaceEdit> {
    let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for (path, edits) in change.edits {
        for e in edits {
            if let Some(loc) = s.location(a, &path, e.range)? {
                let range = if path == s.path { s.range(e.range) } else { loc.range };
                changes.entry(loc.uri).or_default().push(lsp::TextEdit { range, new_text: e.new_text });
            }
        }
    }
    Ok(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() })
}

/// `source.fixAll.aa-lint`: every safe fix of the document.
pub(crate) fn fix_all_kind() -> lsp::CodeActionKind {
    lsp::CodeActionKind::new("source.fixAll.aa-lint")
}

/// Whether a requested kind (`only`) asks for `kind`: equal, or a prefix
/// ending at a dot (`source` asks for `source.fixAll.aa-lint`).
fn kind_wanted(only: Option<&[lsp::CodeActionKind]>, kind: &lsp::CodeActionKind) -> bool {
    let Some(only) = only else { return true };
    only.iter().any(|o| {
        let (o, k) = (o.as_str(), kind.as_str());
        k == o || k.strip_prefix(o).is_some_and(|rest| rest.starts_with('.'))
    })
}

pub(crate) fn code_actions(
    a: &Analysis,
    s: &Snapshot,
    range: lsp::Range,
    only: Option<&[lsp::CodeActionKind]>,
) -> Cancellable<Option<lsp::CodeActionResponse>> {
    let mut out = Vec::new();
    if kind_wanted(only, &lsp::CodeActionKind::QUICKFIX) {
        let range = convert::text_range(&s.rope, range, s.enc);
        for assist in a.code_actions(&s.path, range)? {
            let diagnostic =
                crate::publish::to_lsp_diagnostic(a, &assist.diagnostic, &s.rope, s.enc, &s.docs_url, &|p| {
                    s.others.get(p).cloned()
                })?;
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: assist.label,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic]),
                edit: Some(workspace_edit(a, s, assist.change)?),
                is_preferred: assist.preferred.then_some(true),
                ..Default::default()
            }));
        }
    }
    if kind_wanted(only, &lsp::CodeActionKind::QUICKFIX) {
        // The log hints' rules, where the hint is (the profile's header).
        let range = convert::text_range(&s.rope, range, s.enc);
        for hint in a.log_hints(&s.path)?.iter() {
            if hint.range.start() > range.end() || range.start() > hint.range.end() {
                continue;
            }
            let diagnostic = crate::logs::hint_diagnostic(hint, &s.rope, s.enc);
            for action in &hint.actions {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: action.label.clone(),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(workspace_edit(a, s, action.change.clone())?),
                    ..Default::default()
                }));
            }
        }
    }
    let kind = fix_all_kind();
    // Only on request: a fix-all offered at every cursor position is noise.
    if only.is_some() && kind_wanted(only, &kind) {
        let edits = a.fix_all(&s.path)?;
        if !edits.is_empty() {
            let change = aa_ide::SourceChange { edits: vec![(s.path.clone(), edits)] };
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: "Fix all safely fixable aa-lint findings".into(),
                kind: Some(kind),
                edit: Some(workspace_edit(a, s, change)?),
                ..Default::default()
            }));
        }
    }
    Ok(Some(out))
}

/// Whole-document or range formatting; a document with syntax errors gets
/// no edits (not an error the editor would pop up).
pub(crate) fn formatting(
    a: &Analysis,
    s: &Snapshot,
    range: Option<lsp::Range>,
) -> Cancellable<Option<Vec<lsp::TextEdit>>> {
    let edits = match range {
        None => a.format(&s.path, &s.format)?,
        Some(r) => a.format_range(&s.path, convert::text_range(&s.rope, r, s.enc), &s.format)?,
    };
    Ok(Some(
        edits
            .unwrap_or_default()
            .into_iter()
            .map(|e| lsp::TextEdit { range: s.range(e.range), new_text: e.new_text })
            .collect(),
    ))
}

fn symbol_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Profile => lsp::SymbolKind::CLASS,
        SymbolKind::Hat => lsp::SymbolKind::METHOD,
        SymbolKind::Variable => lsp::SymbolKind::VARIABLE,
        SymbolKind::Include => lsp::SymbolKind::FILE,
        SymbolKind::Rule => lsp::SymbolKind::FIELD,
    }
}

#[allow(deprecated)]
fn document_symbol(s: &Snapshot, sym: aa_ide::Symbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: sym.name,
        detail: sym.detail,
        kind: symbol_kind(sym.kind),
        tags: None,
        deprecated: None,
        range: s.range(sym.full_range),
        selection_range: s.range(sym.focus_range),
        children: Some(sym.children.into_iter().map(|c| document_symbol(s, c)).collect()),
    }
}

pub(crate) fn document_symbols(a: &Analysis, s: &Snapshot) -> Cancellable<Option<lsp::DocumentSymbolResponse>> {
    let syms = a.document_symbols(&s.path)?;
    Ok(Some(lsp::DocumentSymbolResponse::Nested(syms.into_iter().map(|sym| document_symbol(s, sym)).collect())))
}

#[allow(deprecated)]
pub(crate) fn workspace_symbols(
    a: &Analysis,
    s: &Snapshot,
    query: &str,
) -> Cancellable<Option<lsp::WorkspaceSymbolResponse>> {
    let mut out = Vec::new();
    for sym in a.workspace_symbols(query)? {
        if let Some(location) = s.location(a, &sym.path, sym.range)? {
            out.push(lsp::SymbolInformation {
                name: sym.name,
                kind: symbol_kind(sym.kind),
                tags: None,
                deprecated: None,
                location,
                container_name: sym.container,
            });
        }
    }
    Ok(Some(lsp::WorkspaceSymbolResponse::Flat(out)))
}

pub(crate) fn folding_ranges(a: &Analysis, s: &Snapshot) -> Cancellable<Option<Vec<lsp::FoldingRange>>> {
    let folds = a.folding_ranges(&s.path)?;
    Ok(Some(
        folds
            .into_iter()
            .filter_map(|f| {
                let r = s.range(f.range);
                (r.end.line > r.start.line).then_some(lsp::FoldingRange {
                    start_line: r.start.line,
                    start_character: None,
                    end_line: r.end.line,
                    end_character: None,
                    kind: Some(match f.kind {
                        FoldKind::Block => lsp::FoldingRangeKind::Region,
                        FoldKind::Comment => lsp::FoldingRangeKind::Comment,
                        FoldKind::Includes => lsp::FoldingRangeKind::Imports,
                    }),
                    collapsed_text: None,
                })
            })
            .collect(),
    ))
}

pub(crate) fn selection_ranges(
    a: &Analysis,
    s: &Snapshot,
    positions: &[lsp::Position],
) -> Cancellable<Option<Vec<lsp::SelectionRange>>> {
    let offsets: Vec<_> = positions.iter().map(|&p| s.offset(p)).collect();
    let all = a.selection_ranges(&s.path, &offsets)?;
    Ok(Some(
        all.into_iter()
            .map(|ranges| {
                let mut parent: Option<Box<lsp::SelectionRange>> = None;
                for r in ranges.into_iter().rev() {
                    parent = Some(Box::new(lsp::SelectionRange { range: s.range(r), parent }));
                }
                parent.map(|b| *b).unwrap_or(lsp::SelectionRange { range: lsp::Range::default(), parent: None })
            })
            .collect(),
    ))
}

pub(crate) fn semantic_tokens(
    a: &Analysis,
    s: &Snapshot,
    range: Option<lsp::Range>,
) -> Cancellable<Option<lsp::SemanticTokens>> {
    let range = range.map(|r| convert::text_range(&s.rope, r, s.enc));
    let tokens = a.semantic_tokens(&s.path, range)?;
    let mut data = Vec::new();
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    for t in tokens {
        // A token spanning lines is sent line by line.
        let start = convert::offset_to_position(&s.rope, t.range.start(), s.enc);
        let end = convert::offset_to_position(&s.rope, t.range.end(), s.enc);
        for line in start.line..=end.line {
            let from = if line == start.line { start.character } else { 0 };
            let to = if line == end.line {
                end.character
            } else {
                let line_end = convert::position_to_offset(&s.rope, lsp::Position { line, character: u32::MAX }, s.enc);
                convert::offset_to_position(&s.rope, line_end, s.enc).character
            };
            if to <= from {
                continue;
            }
            let delta_line = line - prev_line;
            let delta_start = if delta_line == 0 { from - prev_start } else { from };
            data.push(lsp::SemanticToken {
                delta_line,
                delta_start,
                length: to - from,
                token_type: token_type(t.kind),
                token_modifiers_bitset: u32::from(t.declaration),
            });
            prev_line = line;
            prev_start = from;
        }
    }
    Ok(Some(lsp::SemanticTokens { result_id: None, data }))
}

pub(crate) fn inlay_hints(a: &Analysis, s: &Snapshot, range: lsp::Range) -> Cancellable<Option<Vec<lsp::InlayHint>>> {
    let range = convert::text_range(&s.rope, range, s.enc);
    Ok(Some(
        a.inlay_hints(&s.path, Some(range))?
            .into_iter()
            .map(|h| lsp::InlayHint {
                position: convert::offset_to_position(&s.rope, h.offset, s.enc),
                label: lsp::InlayHintLabel::String(h.label),
                kind: None,
                text_edits: None,
                tooltip: h.tooltip.map(|t| {
                    lsp::InlayHintTooltip::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: t,
                    })
                }),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .collect(),
    ))
}
