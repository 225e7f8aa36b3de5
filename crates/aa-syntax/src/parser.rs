//! The parser's machinery: token access, tree building, errors, gluing and
//! the guards that keep it from looping or recursing without bound. The
//! grammar itself lives in `grammar/`.

use rowan::{Checkpoint, GreenNode, GreenNodeBuilder, NodeCache, TextRange, TextSize};

use crate::{
    SyntaxError,
    SyntaxKind::{self, *},
    lexer::Token,
};

/// Blocks nested deeper than this are kept as one error node instead of
/// being parsed recursively, so hostile input cannot overflow the stack.
pub(crate) const MAX_DEPTH: u32 = 256;

/// How adjacent tokens combine into one value, mirroring the identifier
/// rules of `apparmor_parser`'s lexer modes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Glue {
    /// Paths, names, exec targets, assignment and `key=value` values: anything
    /// but blanks, quotes and `!`; a comma only when a value character follows it.
    Ids,
    /// Items of a `( ... )` list: commas and parentheses separate.
    List,
    /// Bare words of non-file rules (`network inet`, mount sources): like
    /// `Ids` but `=`, parentheses and assignments end the word.
    NoAssign,
    /// Operands of an `if` expression: like `NoAssign`, and `{` opens the block.
    Expr,
}

pub(crate) struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    /// Start offset of every token, plus the end of the text.
    offsets: Vec<u32>,
    /// The text of every token, sliced once: the grammar looks at token
    /// texts many times, and each slice checks character boundaries.
    texts: Vec<&'t str>,
    /// Raw indices of the non-trivia tokens, plus `tokens.len()` as a sentinel.
    significant: Vec<usize>,
    /// Raw index of the next token to emit (trivia included).
    pos: usize,
    /// Index into `significant` of the current token.
    sig: usize,
    builder: GreenNodeBuilder<'t>,
    errors: Vec<SyntaxError>,
    pub(crate) depth: u32,
    steps: u64,
    step_limit: u64,
}

impl<'t> Parser<'t> {
    pub(crate) fn new(text: &'t str, tokens: Vec<Token>, cache: &'t mut NodeCache) -> Parser<'t> {
        let mut offsets = Vec::with_capacity(tokens.len() + 1);
        let mut offset = 0u32;
        for token in &tokens {
            offsets.push(offset);
            offset += token.len;
        }
        offsets.push(offset);
        let texts: Vec<&'t str> = offsets.windows(2).map(|w| &text[w[0] as usize..w[1] as usize]).collect();
        let mut significant: Vec<usize> = (0..tokens.len()).filter(|&i| !tokens[i].kind.is_trivia()).collect();
        significant.push(tokens.len());
        // Every loop iteration consumes a token or leaves its loop, so this
        // bound is never reached by a correct grammar; it turns a grammar bug
        // into an error node instead of a hang.
        let step_limit = 16 * tokens.len() as u64 + 1024;
        // The lexer ends an unterminated string at its line end; say so here,
        // where the token text is at hand.
        let mut errors = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            if token.kind == STRING {
                let range = TextRange::new(offsets[i].into(), offsets[i + 1].into());
                if !crate::validation::is_terminated_string(&text[range]) {
                    errors.push(SyntaxError::new("unterminated string", range));
                }
            }
        }
        Parser {
            text,
            tokens,
            offsets,
            texts,
            significant,
            pos: 0,
            sig: 0,
            builder: GreenNodeBuilder::with_cache(cache),
            errors,
            depth: 0,
            steps: 0,
            step_limit,
        }
    }

    pub(crate) fn finish(self) -> (GreenNode, Vec<SyntaxError>) {
        (self.builder.finish(), self.errors)
    }

    // ---- Looking at tokens ------------------------------------------------

    fn raw_of(&self, n: usize) -> Option<usize> {
        let raw = *self.significant.get(self.sig + n)?;
        (raw < self.tokens.len()).then_some(raw)
    }

    /// Kind of the `n`th significant token ahead (`0` is the current one).
    pub(crate) fn nth(&self, n: usize) -> Option<SyntaxKind> {
        self.raw_of(n).map(|raw| self.tokens[raw].kind)
    }

    pub(crate) fn current(&self) -> Option<SyntaxKind> {
        self.nth(0)
    }

    pub(crate) fn at(&self, kind: SyntaxKind) -> bool {
        self.current() == Some(kind)
    }

    pub(crate) fn at_eof(&self) -> bool {
        self.current().is_none()
    }

    pub(crate) fn nth_text(&self, n: usize) -> &'t str {
        match self.raw_of(n) {
            Some(raw) => self.raw_text(raw),
            None => "",
        }
    }

    pub(crate) fn current_text(&self) -> &'t str {
        self.nth_text(0)
    }

    fn raw_text(&self, raw: usize) -> &'t str {
        self.texts[raw]
    }

    /// Whether the `n`th token is the word `word`.
    pub(crate) fn nth_word(&self, n: usize, word: &str) -> bool {
        self.nth(n) == Some(WORD) && self.nth_text(n) == word
    }

    pub(crate) fn at_word(&self, word: &str) -> bool {
        self.nth_word(0, word)
    }

    /// Whether the `n`th token follows the `n-1`th with nothing in between.
    pub(crate) fn nth_adjacent(&self, n: usize) -> bool {
        match (n.checked_sub(1).and_then(|p| self.raw_of(p)), self.raw_of(n)) {
            (Some(prev), Some(raw)) => raw == prev + 1,
            _ => false,
        }
    }

    /// Whether a line break separates the `n`th token from the one before it
    /// (for `n == 0`, from the last token consumed).
    pub(crate) fn newline_before(&self, n: usize) -> bool {
        let idx = (self.sig + n).min(self.significant.len() - 1);
        let end = self.significant[idx].min(self.tokens.len());
        let start = if n == 0 || idx == 0 { self.pos } else { self.significant[idx - 1] + 1 };
        (start..end).any(|raw| self.tokens[raw].kind == NEWLINE)
    }

    /// Range of the current token, or an empty range at the end of the text.
    pub(crate) fn current_range(&self) -> TextRange {
        match self.raw_of(0) {
            Some(raw) => TextRange::new(self.offsets[raw].into(), self.offsets[raw + 1].into()),
            None => TextRange::empty(TextSize::from(self.text.len() as u32)),
        }
    }

    /// Range right after the last consumed significant token: where a missing
    /// `,` or `}` belongs.
    fn after_previous(&self) -> TextRange {
        let end = match self.sig.checked_sub(1) {
            Some(prev) => self.offsets[self.significant[prev] + 1],
            None => 0,
        };
        TextRange::empty(end.into())
    }

    // ---- Consuming tokens -------------------------------------------------

    /// Emits the trivia before the current token into the open node.
    pub(crate) fn skip_trivia(&mut self) {
        let target = self.significant[self.sig];
        while self.pos < target {
            self.emit_raw(self.pos, None);
            self.pos += 1;
        }
    }

    fn emit_raw(&mut self, raw: usize, kind: Option<SyntaxKind>) {
        let token = self.tokens[raw];
        let text = self.raw_text(raw);
        self.builder.token(kind.unwrap_or(token.kind).into(), text);
    }

    /// Consumes the current token (and the trivia before it).
    pub(crate) fn bump(&mut self) {
        self.bump_inner(None);
    }

    /// Consumes the current token, re-tagging it (a word becoming a keyword).
    pub(crate) fn bump_remap(&mut self, kind: SyntaxKind) {
        self.bump_inner(Some(kind));
    }

    fn bump_inner(&mut self, kind: Option<SyntaxKind>) {
        if self.at_eof() {
            return;
        }
        self.skip_trivia();
        self.emit_raw(self.pos, kind);
        self.pos += 1;
        self.sig += 1;
    }

    /// Consumes the current token if it has `kind`.
    pub(crate) fn eat(&mut self, kind: SyntaxKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Consumes the current word as keyword `kind` if it is `word`.
    pub(crate) fn eat_keyword(&mut self, word: &str, kind: SyntaxKind) -> bool {
        if self.at_word(word) {
            self.bump_remap(kind);
            true
        } else {
            false
        }
    }

    // ---- Building nodes ---------------------------------------------------

    pub(crate) fn start_node(&mut self, kind: SyntaxKind) {
        self.skip_trivia();
        self.builder.start_node(kind.into());
    }

    /// Starts a node without first consuming trivia (only for the root).
    pub(crate) fn start_root(&mut self, kind: SyntaxKind) {
        self.builder.start_node(kind.into());
    }

    pub(crate) fn finish_node(&mut self) {
        self.builder.finish_node();
    }

    pub(crate) fn checkpoint(&mut self) -> Checkpoint {
        self.skip_trivia();
        self.builder.checkpoint()
    }

    pub(crate) fn start_node_at(&mut self, checkpoint: Checkpoint, kind: SyntaxKind) {
        self.builder.start_node_at(checkpoint, kind.into());
    }

    // ---- Errors and recovery ----------------------------------------------

    pub(crate) fn error_at(&mut self, range: TextRange, message: impl Into<String>) {
        self.errors.push(SyntaxError::new(message, range));
    }

    /// Reports an error on the current token.
    pub(crate) fn error(&mut self, message: impl Into<String>) {
        let range = self.current_range();
        self.error_at(range, message);
    }

    /// Reports that something is missing right after the previous token.
    pub(crate) fn error_missing(&mut self, message: impl Into<String>) {
        let range = self.after_previous();
        self.error_at(range, message);
    }

    /// Wraps the current token in an `ERROR` node with a message.
    pub(crate) fn err_and_bump(&mut self, message: impl Into<String>) {
        self.error(message);
        self.start_node(ERROR);
        self.bump();
        self.finish_node();
    }

    /// Counts one step of a loop; false once the parser has taken far more
    /// steps than the input has tokens, which only a grammar bug can cause.
    pub(crate) fn step(&mut self) -> bool {
        self.steps += 1;
        if self.steps > self.step_limit {
            if self.steps == self.step_limit + 1 {
                let range = self.current_range();
                self.error_at(range, "internal parser error: no progress; rest of file not parsed");
            }
            return false;
        }
        true
    }

    /// Puts every remaining token into one `ERROR` node (used after the step
    /// guard fired, so nothing is lost).
    pub(crate) fn bump_rest_as_error(&mut self) {
        if self.at_eof() {
            self.skip_trivia();
            return;
        }
        self.start_node(ERROR);
        while !self.at_eof() {
            self.bump();
        }
        self.finish_node();
        self.skip_trivia();
    }

    /// Whether the current token starts a new line and looks like the start of
    /// another rule; error recovery stops there so one broken rule does not
    /// take the next ones with it.
    pub(crate) fn at_line_start_of_item(&self) -> bool {
        if !self.newline_before(0) {
            return false;
        }
        match self.current() {
            Some(HASH_INCLUDE | R_CURLY | CARET | VARIABLE | BOOL_VARIABLE) => true,
            Some(WORD) => {
                let text = self.current_text();
                text.starts_with('/') || crate::grammar::starts_item_keyword(text)
            }
            _ => false,
        }
    }

    /// Skips to the end of a broken statement: through the next separating
    /// `,`, or up to a `}` or the start of the next rule.
    pub(crate) fn recover_to_rule_end(&mut self) {
        if self.at_eof() || self.at(R_CURLY) {
            return;
        }
        if self.at(COMMA) {
            self.bump();
            return;
        }
        self.start_node(ERROR);
        let mut first = true;
        while !self.at_eof() && self.step() {
            if self.at(R_CURLY) || (!first && self.at_line_start_of_item()) {
                break;
            }
            first = false;
            if self.at(COMMA) {
                self.bump();
                break;
            }
            self.bump();
        }
        self.finish_node();
    }

    // ---- Values -----------------------------------------------------------

    /// Whether the current token can begin a value.
    pub(crate) fn at_value_start(&self) -> bool {
        matches!(self.current(), Some(WORD | VARIABLE | STRING))
    }

    /// Parses one value: a string, or adjacent tokens glued by `glue`.
    pub(crate) fn value(&mut self, glue: Glue) {
        self.start_node(VALUE);
        let is_string = self.at(STRING);
        self.bump();
        if !is_string {
            while self.glues_next(glue) {
                self.bump();
            }
        }
        self.finish_node();
    }

    /// Whether the current token continues the value just consumed.
    fn glues_next(&self, glue: Glue) -> bool {
        if self.sig == 0 || !self.nth_adjacent_to_previous() {
            return false;
        }
        match self.current() {
            Some(COMMA) => {
                glue != Glue::List
                    && self.nth_adjacent(1)
                    && self.nth(1).is_some_and(|next| glues_kind(glue, next) && next != COMMA)
            }
            Some(kind) => glues_kind(glue, kind),
            None => false,
        }
    }

    fn nth_adjacent_to_previous(&self) -> bool {
        match (self.significant.get(self.sig.wrapping_sub(1)), self.raw_of(0)) {
            (Some(&prev), Some(raw)) => raw == prev + 1,
            _ => false,
        }
    }
}

fn glues_kind(glue: Glue, kind: SyntaxKind) -> bool {
    match kind {
        STRING | BANG | BANG_EQ | HASH_INCLUDE | ERROR_TOKEN => false,
        k if k.is_trivia() => false,
        L_PAREN | R_PAREN => glue == Glue::Ids,
        EQ | PLUS_EQ | COLON_EQ | QUESTION_EQ | EQ_EQ => matches!(glue, Glue::Ids | Glue::List),
        L_CURLY => glue != Glue::Expr,
        _ => true,
    }
}
