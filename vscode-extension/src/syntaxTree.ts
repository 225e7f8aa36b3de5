// "AppArmor: Show Syntax Tree": asks the server for `aa/syntaxTree` and shows
// the dump in a read-only virtual document that follows edits to its source.

import * as vscode from 'vscode';
import { RequestType } from 'vscode-languageclient';
import type { LanguageClient } from 'vscode-languageclient/node';

export interface SyntaxTreeParams {
    textDocument: { uri: string };
}

export interface SyntaxTreeResult {
    tree: string;
}

export const syntaxTreeRequest = new RequestType<SyntaxTreeParams, SyntaxTreeResult, void>('aa/syntaxTree');

export const SYNTAX_TREE_SCHEME = 'aa-lint-syntax-tree';

/** The virtual document for `source`: `aa-lint-syntax-tree:/<name>.rast?<source uri>`. */
export function syntaxTreeUri(source: vscode.Uri): vscode.Uri {
    const base = source.path.split('/').pop() || 'untitled';
    return vscode.Uri.from({ scheme: SYNTAX_TREE_SCHEME, path: `/${base}.rast`, query: source.toString() });
}

export class SyntaxTreeProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    private readonly disposables: vscode.Disposable[] = [this.changed];
    private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

    constructor(private readonly client: () => LanguageClient | undefined) {
        this.disposables.push(
            vscode.workspace.onDidChangeTextDocument((e) => this.sourceChanged(e.document.uri)),
        );
    }

    async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
        const client = this.client();
        if (client === undefined || !client.isRunning()) {
            return '// The aa-lint language server is not running.\n';
        }
        const params: SyntaxTreeParams = { textDocument: { uri: uri.query } };
        try {
            const result = await client.sendRequest(syntaxTreeRequest, params, token);
            if (result === null || typeof result !== 'object' || typeof result.tree !== 'string') {
                return '// The server answered aa/syntaxTree without a `tree` string.\n';
            }
            return result.tree;
        } catch (err) {
            return `// aa/syntaxTree failed: ${err instanceof Error ? err.message : String(err)}\n`;
        }
    }

    /** Refreshes every open tree (after a server restart, for example). */
    refreshAll(): void {
        for (const doc of vscode.workspace.textDocuments) {
            if (doc.uri.scheme === SYNTAX_TREE_SCHEME) {
                this.changed.fire(doc.uri);
            }
        }
    }

    private sourceChanged(source: vscode.Uri): void {
        if (source.scheme === SYNTAX_TREE_SCHEME) {
            return;
        }
        const treeUri = syntaxTreeUri(source);
        const key = treeUri.toString();
        const open = vscode.workspace.textDocuments.some((d) => d.uri.toString() === key);
        if (!open) {
            return;
        }
        const pending = this.timers.get(key);
        if (pending !== undefined) {
            clearTimeout(pending);
        }
        this.timers.set(
            key,
            setTimeout(() => {
                this.timers.delete(key);
                this.changed.fire(treeUri);
            }, 250),
        );
    }

    dispose(): void {
        for (const t of this.timers.values()) {
            clearTimeout(t);
        }
        this.timers.clear();
        for (const d of this.disposables) {
            d.dispose();
        }
    }
}

export async function showSyntaxTree(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.document.languageId !== 'apparmor') {
        void vscode.window.showErrorMessage('AppArmor: Show Syntax Tree needs an active AppArmor editor.');
        return;
    }
    const doc = await vscode.workspace.openTextDocument(syntaxTreeUri(editor.document.uri));
    await vscode.window.showTextDocument(doc, {
        viewColumn: vscode.ViewColumn.Beside,
        preview: false,
        preserveFocus: true,
    });
}
