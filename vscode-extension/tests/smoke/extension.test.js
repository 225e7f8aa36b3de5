// Runs out/extension.js under plain Node with tests/smoke/vscode-mock.js as
// the `vscode` module, against the real server ($AA_LINT_BIN, `aa-lint lsp`)
// behind record-lsp.js, which logs the JSON-RPC exchange without changing it.
// It checks what the server receives, what it answers, and what the user sees.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');
const { test, before, after } = require('node:test');

const vscode = require('./vscode-mock');

const originalLoad = Module._load;
Module._load = function (request, ...rest) {
    return request === 'vscode' ? vscode : originalLoad.call(this, request, ...rest);
};

const root = path.resolve(__dirname, '..', '..');
const recorder = path.join(__dirname, 'record-lsp.js');
if (!process.env.AA_LINT_BIN || !fs.existsSync(process.env.AA_LINT_BIN)) {
    throw new Error('AA_LINT_BIN must name the aa-lint binary under test (ci.sh sets it)');
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-lint-vscode-'));
const log = path.join(tmp, 'server.log');
process.env.AA_LINT_RECORD = log;

const { recorded, settings, makeDocument, fireConfigurationChange } = vscode._test;
const docUri = vscode.Uri.file(path.join(tmp, 'apparmor.d', 'usr.bin.foo'));
// A real finding: `dangerous-capability` (on by default) flags sys_admin.
const docText = 'profile foo {\n  capability sys_admin,\n}\n';
const doc = makeDocument(docUri, 'apparmor', docText);

function records() {
    if (!fs.existsSync(log)) {
        return [];
    }
    return fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l));
}

/** The messages the client sent to the server. */
function messages() {
    return records()
        .filter((r) => r.direction === 'client')
        .map((r) => r.message);
}

/** The messages the server sent to the client. */
function serverMessages() {
    return records()
        .filter((r) => r.direction === 'server')
        .map((r) => r.message);
}

async function waitFor(pred, what) {
    for (let i = 0; i < 200; i++) {
        const v = pred();
        if (v) {
            return v;
        }
        await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('timed out waiting for ' + what);
}

let extension;
const context = { subscriptions: [], extensionPath: path.join(tmp, 'no-extension-dir') };

before(async () => {
    settings.set('aa-lint.server.path', recorder);
    settings.set('aa-lint.includePaths', ['/etc/apparmor.d', 'local']);
    settings.set('aa-lint.baseDir', null);
    settings.set('aa-lint.lint.select', []);
    settings.set('aa-lint.lint.ignore', ['overbroad-glob']);
    settings.set('aa-lint.docsUrl', 'https://example.org/aa-lint/lints/');
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file(tmp), name: 'ws', index: 0 }];
    vscode.workspace.textDocuments.push(doc);
    extension = require(path.join(root, 'out', 'extension.js'));
    await extension.activate(context);
});

after(async () => {
    // SMOKE_DEBUG=FILE keeps the recorded exchange and prints the client's log.
    if (process.env.SMOKE_DEBUG) {
        console.error(recorded.log.join('\n'));
        fs.copyFileSync(log, process.env.SMOKE_DEBUG);
    }
    await extension.deactivate();
    for (const d of context.subscriptions) {
        d.dispose();
    }
    fs.rmSync(tmp, { recursive: true, force: true });
});

test('the server is started with `lsp` and gets the settings as initializationOptions', async () => {
    const init = await waitFor(() => messages().find((m) => m.method === 'initialize'), 'initialize');
    assert.deepEqual(init.params.initializationOptions, {
        includePaths: ['/etc/apparmor.d', path.join(tmp, 'local')],
        baseDir: null,
        lint: { select: [], ignore: ['overbroad-glob'] },
        docsUrl: 'https://example.org/aa-lint/lints/',
    });
});

test('open AppArmor documents are sent with language id apparmor', async () => {
    const open = await waitFor(() => messages().find((m) => m.method === 'textDocument/didOpen'), 'didOpen');
    assert.equal(open.params.textDocument.languageId, 'apparmor');
    assert.equal(open.params.textDocument.text, docText);
});

test('workspace/configuration for section aa-lint is answered with the same object', async () => {
    const request = await waitFor(
        () => serverMessages().find((m) => m.method === 'workspace/configuration'),
        'the server asking workspace/configuration',
    );
    assert.deepEqual(request.params.items, [{ section: 'aa-lint' }]);
    const answer = await waitFor(
        () => messages().find((m) => m.id === request.id && m.method === undefined),
        'the workspace/configuration answer',
    );
    assert.deepEqual(answer.result, [
        {
            includePaths: ['/etc/apparmor.d', path.join(tmp, 'local')],
            baseDir: null,
            lint: { select: [], ignore: ['overbroad-glob'] },
            docsUrl: 'https://example.org/aa-lint/lints/',
        },
    ]);
});

test('diagnostics from the server reach the diagnostic collection', async () => {
    const published = await waitFor(
        () =>
            serverMessages()
                .filter((m) => m.method === 'textDocument/publishDiagnostics')
                .filter((m) => m.params.uri === docUri.toString() && m.params.diagnostics.length > 0)
                .at(-1),
        'published diagnostics',
    );
    assert.ok(
        published.params.diagnostics.some((d) => d.code === 'AA106' || /sys_admin/.test(d.message)),
        'the server reports the dangerous capability: ' + JSON.stringify(published.params.diagnostics),
    );
    const diags = await waitFor(() => recorded.diagnostics.get(docUri.toString()), 'diagnostics');
    assert.deepEqual(
        diags.map((d) => d.message).sort(),
        published.params.diagnostics.map((d) => d.message).sort(),
    );
});

test('Show Syntax Tree opens a document with the tree from aa/syntaxTree', async () => {
    vscode.window.activeTextEditor = { document: doc };
    await vscode.commands.executeCommand('aa-lint.showSyntaxTree');
    const shown = recorded.shown.at(-1);
    assert.ok(shown, 'a document was shown');
    assert.equal(shown.doc.uri.scheme, 'aa-lint-syntax-tree');
    const req = messages().find((m) => m.method === 'aa/syntaxTree');
    assert.deepEqual(req.params, { textDocument: { uri: docUri.toString() } });
    // Ids are per direction: the reply is the server's answer with the request's id.
    const reply = serverMessages().find((m) => m.id === req.id && m.method === undefined);
    assert.ok(reply && typeof reply.result?.tree === 'string', 'the server answered aa/syntaxTree');
    assert.equal(shown.doc.getText(), reply.result.tree);
    assert.match(shown.doc.getText(), new RegExp('^SOURCE_FILE@0\\.\\.' + Buffer.byteLength(docText) + '\\n'));
    assert.match(shown.doc.getText(), /CAPABILITY/);
});

test('changed lint settings are pushed as settings["aa-lint"]', async () => {
    settings.set('aa-lint.lint.select', ['all']);
    fireConfigurationChange(['aa-lint.lint.select']);
    const change = await waitFor(
        () => messages().find((m) => m.method === 'workspace/didChangeConfiguration'),
        'didChangeConfiguration',
    );
    assert.deepEqual(change.params.settings['aa-lint'].lint, { select: ['all'], ignore: ['overbroad-glob'] });
});

test('Restart Server starts a new server process', async () => {
    const before = messages().filter((m) => m.method === 'initialize').length;
    await vscode.commands.executeCommand('aa-lint.restartServer');
    await waitFor(() => messages().filter((m) => m.method === 'initialize').length > before, 'a second initialize');
    assert.ok(messages().some((m) => m.method === 'shutdown'), 'the old server was shut down');
});

test('a server.path that points nowhere gives a clear error', async () => {
    settings.set('aa-lint.server.path', path.join(tmp, 'missing', 'aa-lint'));
    recorded.errors.length = 0;
    fireConfigurationChange(['aa-lint.server.path']);
    const err = await waitFor(() => recorded.errors[0], 'an error message');
    assert.match(err, /aa-lint\.server\.path/);
    assert.match(err, /no executable file/);
});
