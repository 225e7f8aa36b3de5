// A small stand-in for the `vscode` module: enough of the API for
// out/extension.js and vscode-languageclient to run under plain Node.
// It records what the extension shows so tests can assert on it.
'use strict';

class Disposable {
    constructor(fn) {
        this._fn = fn;
    }
    static from(...items) {
        return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
    }
    dispose() {
        if (this._fn) {
            this._fn();
            this._fn = undefined;
        }
    }
}

class EventEmitter {
    constructor() {
        this._listeners = new Set();
        this.event = (listener, thisArg) => {
            const l = thisArg ? listener.bind(thisArg) : listener;
            this._listeners.add(l);
            return new Disposable(() => this._listeners.delete(l));
        };
    }
    fire(e) {
        for (const l of [...this._listeners]) {
            l(e);
        }
    }
    dispose() {
        this._listeners.clear();
    }
}

const noEvent = () => new Disposable(() => {});

class Uri {
    constructor(scheme, path, query = '') {
        this.scheme = scheme;
        this.authority = '';
        this.path = path;
        this.query = query;
        this.fragment = '';
        this.fsPath = path;
    }
    static file(p) {
        return new Uri('file', p);
    }
    static from(c) {
        return new Uri(c.scheme, c.path || '', c.query || '');
    }
    static parse(s) {
        const m = /^([a-zA-Z][\w+.-]*):(?:\/\/)?([^?]*)(?:\?(.*))?$/.exec(s);
        if (!m) {
            throw new Error('bad uri ' + s);
        }
        return new Uri(m[1], m[2].startsWith('/') ? m[2] : '/' + m[2], m[3] || '');
    }
    with(change) {
        return new Uri(change.scheme ?? this.scheme, change.path ?? this.path, change.query ?? this.query);
    }
    toString() {
        const base = this.scheme === 'file' ? `file://${this.path}` : `${this.scheme}:${this.path}`;
        return this.query ? `${base}?${this.query}` : base;
    }
    toJSON() {
        return this.toString();
    }
}

class Position {
    constructor(line, character) {
        this.line = line;
        this.character = character;
    }
}

class Range {
    constructor(a, b, c, d) {
        if (typeof a === 'number') {
            this.start = new Position(a, b);
            this.end = new Position(c, d);
        } else {
            this.start = a;
            this.end = b;
        }
    }
}

class Diagnostic {
    constructor(range, message, severity) {
        this.range = range;
        this.message = message;
        this.severity = severity;
    }
}

class CancellationTokenSource {
    constructor() {
        const emitter = new EventEmitter();
        this._emitter = emitter;
        this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
    }
    cancel() {
        this.token.isCancellationRequested = true;
        this._emitter.fire();
    }
    dispose() {}
}

class CancellationError extends Error {}
class CodeAction {}
class TabInputText {}
class TabInputTextDiff {}
class TabInputCustom {}
class TabInputNotebook {}

// Code action kinds are hierarchical strings; the client builds the server's
// advertised kinds from `CodeActionKind.Empty.append(...)`.
class CodeActionKind {
    constructor(value) {
        this.value = value;
    }
    append(part) {
        return new CodeActionKind(this.value ? this.value + '.' + part : part);
    }
    contains(other) {
        return this.value === '' || other.value === this.value || other.value.startsWith(this.value + '.');
    }
    intersects(other) {
        return this.contains(other) || other.contains(this);
    }
}
CodeActionKind.Empty = new CodeActionKind('');
for (const [name, value] of Object.entries({
    QuickFix: 'quickfix',
    Refactor: 'refactor',
    RefactorExtract: 'refactor.extract',
    RefactorInline: 'refactor.inline',
    RefactorMove: 'refactor.move',
    RefactorRewrite: 'refactor.rewrite',
    Source: 'source',
    SourceOrganizeImports: 'source.organizeImports',
    SourceFixAll: 'source.fixAll',
    Notebook: 'notebook',
})) {
    CodeActionKind[name] = new CodeActionKind(value);
}

/** Everything the tests look at. */
const recorded = {
    errors: [],
    infos: [],
    warnings: [],
    shown: [],
    diagnostics: new Map(),
    commands: new Map(),
    providers: new Map(),
    log: [],
};

const settings = new Map();
const configChanged = new EventEmitter();

function makeDocument(uri, languageId, text) {
    const lines = text.split('\n');
    return {
        uri,
        fileName: uri.fsPath,
        languageId,
        version: 1,
        isClosed: false,
        isDirty: false,
        isUntitled: false,
        eol: 1,
        lineCount: lines.length,
        getText: () => text,
        lineAt: (n) => ({ text: lines[n] }),
    };
}

const workspace = {
    workspaceFolders: undefined,
    textDocuments: [],
    notebookDocuments: [],
    getConfiguration(section) {
        const prefix = section ? section + '.' : '';
        return {
            get(key, dflt) {
                const k = prefix + key;
                return settings.has(k) ? settings.get(k) : dflt;
            },
            has(key) {
                return settings.has(prefix + key);
            },
            inspect() {
                return undefined;
            },
            update() {
                return Promise.resolve();
            },
        };
    },
    onDidChangeConfiguration: configChanged.event,
    onDidOpenTextDocument: noEvent,
    onDidCloseTextDocument: noEvent,
    onDidChangeTextDocument: noEvent,
    onDidSaveTextDocument: noEvent,
    onWillSaveTextDocument: noEvent,
    onDidChangeWorkspaceFolders: noEvent,
    onDidOpenNotebookDocument: noEvent,
    onDidCloseNotebookDocument: noEvent,
    onDidChangeNotebookDocument: noEvent,
    onDidSaveNotebookDocument: noEvent,
    registerTextDocumentContentProvider(scheme, provider) {
        recorded.providers.set(scheme, provider);
        return new Disposable(() => recorded.providers.delete(scheme));
    },
    async openTextDocument(uri) {
        const provider = recorded.providers.get(uri.scheme);
        if (!provider) {
            throw new Error('no provider for ' + uri.scheme);
        }
        const text = await provider.provideTextDocumentContent(uri, new CancellationTokenSource().token);
        return makeDocument(uri, 'plaintext', text);
    },
    createFileSystemWatcher() {
        return { onDidCreate: noEvent, onDidChange: noEvent, onDidDelete: noEvent, dispose() {} };
    },
    applyEdit: async () => true,
};

const logChannel = (name) => {
    const write = (level) => (msg) => recorded.log.push(`[${name}] ${level} ${msg}`);
    return {
        name,
        logLevel: 2,
        onDidChangeLogLevel: noEvent,
        trace: write('trace'),
        debug: write('debug'),
        info: write('info'),
        warn: write('warn'),
        error: write('error'),
        append: write('append'),
        appendLine: write('line'),
        replace() {},
        clear() {},
        show() {},
        hide() {},
        dispose() {},
    };
};

const window = {
    activeTextEditor: undefined,
    visibleTextEditors: [],
    tabGroups: { all: [], onDidChangeTabs: noEvent, onDidChangeTabGroups: noEvent },
    onDidChangeActiveTextEditor: noEvent,
    onDidChangeVisibleTextEditors: noEvent,
    createOutputChannel: (name) => logChannel(name),
    showErrorMessage: async (msg) => {
        recorded.errors.push(msg);
        return undefined;
    },
    showWarningMessage: async (msg) => {
        recorded.warnings.push(msg);
        return undefined;
    },
    showInformationMessage: async (msg) => {
        recorded.infos.push(msg);
        return undefined;
    },
    showTextDocument: async (doc, opts) => {
        recorded.shown.push({ doc, opts });
        return { document: doc };
    },
    withProgress: async (_opts, task) => task({ report() {} }, new CancellationTokenSource().token),
};

const languages = new Proxy(
    {
        match(selector, doc) {
            const filters = Array.isArray(selector) ? selector : [selector];
            return filters.some(
                (f) =>
                    (typeof f === 'string' ? f === doc.languageId : !f.language || f.language === doc.languageId) &&
                    (typeof f === 'string' || !f.scheme || f.scheme === doc.uri.scheme),
            )
                ? 10
                : 0;
        },
        createDiagnosticCollection(name) {
            const map = new Map();
            recorded.diagnostics = map;
            return {
                name,
                set: (uri, diags) => map.set(uri.toString(), diags || []),
                delete: (uri) => map.delete(uri.toString()),
                get: (uri) => map.get(uri.toString()),
                has: (uri) => map.has(uri.toString()),
                forEach: (cb) => map.forEach((v, k) => cb(Uri.parse(k), v)),
                clear: () => map.clear(),
                dispose: () => map.clear(),
            };
        },
    },
    {
        // Every languages.registerXProvider returns a Disposable.
        get(target, prop) {
            if (prop in target) {
                return target[prop];
            }
            return () => new Disposable(() => {});
        },
    },
);

const commands = {
    registerCommand(id, fn) {
        recorded.commands.set(id, fn);
        return new Disposable(() => recorded.commands.delete(id));
    },
    async executeCommand(id, ...args) {
        const fn = recorded.commands.get(id);
        return fn ? fn(...args) : undefined;
    },
};

const api = {
    version: '1.91.0',
    env: { appName: 'vscode-mock', language: 'en', openExternal: async () => true },
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Diagnostic,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    CancellationTokenSource,
    CancellationError,
    CodeAction,
    CodeActionKind,
    TabInputText,
    TabInputTextDiff,
    TabInputCustom,
    TabInputNotebook,
    LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
    NotebookCellKind: { Markup: 1, Code: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
    workspace,
    window,
    languages,
    commands,
    // Test helpers, not part of the VS Code API.
    _test: {
        recorded,
        settings,
        makeDocument,
        fireConfigurationChange(keys) {
            configChanged.fire({ affectsConfiguration: (s) => keys.some((k) => k === s || k.startsWith(s + '.')) });
        },
    },
};

// Classes and enums the client only references (CompletionItem, CodeLens,
// SymbolKind, ...): empty stand-ins. They must be own properties, because
// the bundle copies the module's properties (__importStar).
const referencedOnly = `CallHierarchyIncomingCall CallHierarchyItem CallHierarchyOutgoingCall
    CodeActionTriggerKind CodeLens Color ColorInformation ColorPresentation CompletionItem CompletionItemKind
    CompletionItemTag CompletionList CompletionTriggerKind DiagnosticRelatedInformation DiagnosticTag
    DocumentHighlight DocumentHighlightKind DocumentLink DocumentSymbol FileType FoldingRange FoldingRangeKind Hover
    InlayHint InlayHintLabelPart InlineCompletionItem InlineCompletionList InlineCompletionTriggerKind
    InlineValueEvaluatableExpression InlineValueText InlineValueVariableLookup LinkedEditingRanges Location
    MarkdownString ParameterInformation RelativePattern SelectionRange SemanticTokens SemanticTokensEdit
    SemanticTokensEdits SignatureHelp SignatureHelpTriggerKind SignatureInformation SnippetString SnippetTextEdit
    SymbolInformation SymbolKind SymbolTag TextDocumentSaveReason TextEdit TypeHierarchyItem WorkspaceEdit`;
for (const name of referencedOnly.split(/\s+/)) {
    if (!(name in api)) {
        api[name] = class {
            constructor(...args) {
                this.args = args;
            }
        };
    }
}

module.exports = api;
