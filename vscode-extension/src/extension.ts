// Entry point: starts `aa-lint lsp` over stdio and wires the commands.

import * as vscode from 'vscode';
import { DidChangeConfigurationNotification } from 'vscode-languageclient';
import {
    type Executable,
    LanguageClient,
    type LanguageClientOptions,
    type ServerOptions,
} from 'vscode-languageclient/node';
import { defaultExpandEnv, expandPath, SECTION, type RawSettings, type ServerSettings, toServerSettings } from './config';
import { findServer } from './server';
import { showSyntaxTree, SYNTAX_TREE_SCHEME, SyntaxTreeProvider } from './syntaxTree';

const CLIENT_ID = 'aa-lint';
const CLIENT_NAME = 'aa-lint';

let client: LanguageClient | undefined;
let outputChannel: vscode.LogOutputChannel | undefined;
let extensionPath = '';

function workspaceFolderPath(): string | undefined {
    const folders = vscode.workspace.workspaceFolders;
    return folders !== undefined && folders.length > 0 ? folders[0].uri.fsPath : undefined;
}

function readRawSettings(): RawSettings {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    return {
        serverPath: cfg.get<string | null>('server.path', null),
        includePaths: cfg.get<string[]>('includePaths', []),
        baseDir: cfg.get<string | null>('baseDir', null),
        lintSelect: cfg.get<string[]>('lint.select', []),
        lintIgnore: cfg.get<string[]>('lint.ignore', []),
        docsUrl: cfg.get<string | null>('docsUrl', null),
    };
}

function currentServerSettings(): ServerSettings {
    return toServerSettings(readRawSettings(), defaultExpandEnv(workspaceFolderPath()));
}

async function reportMissingServer(message: string): Promise<void> {
    outputChannel?.error(message);
    const choice = await vscode.window.showErrorMessage(`aa-lint: ${message}`, 'Open Settings', 'Show Log');
    if (choice === 'Open Settings') {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'aa-lint.server.path');
    } else if (choice === 'Show Log') {
        outputChannel?.show();
    }
}

async function startClient(): Promise<void> {
    const raw = readRawSettings();
    const configured = raw.serverPath ? expandPath(raw.serverPath, defaultExpandEnv(workspaceFolderPath())) : null;
    const lookup = findServer({
        configured,
        extensionPath,
        envPath: process.env.PATH,
        platform: process.platform,
    });
    if (lookup.kind === 'missing') {
        await reportMissingServer(lookup.message);
        return;
    }
    outputChannel?.info(`Starting ${lookup.path} lsp (found via ${lookup.source}).`);

    // No `transport`: with TransportKind.stdio the client would append
    // `--stdio` to the arguments. Without it, the client still talks over
    // stdin/stdout, and the command line is exactly `aa-lint lsp`.
    const executable: Executable = { command: lookup.path, args: ['lsp'] };
    const serverOptions: ServerOptions = { run: executable, debug: executable };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [
            { language: 'apparmor', scheme: 'file' },
            { language: 'apparmor', scheme: 'untitled' },
        ],
        initializationOptions: currentServerSettings(),
        outputChannel,
        middleware: {
            workspace: {
                // Answer `workspace/configuration` for our section with the
                // same normalized shape we push, so pull and push agree.
                configuration: async (params, token, next) => {
                    const result = await next(params, token);
                    if (!Array.isArray(result)) {
                        return result;
                    }
                    return params.items.map((item, i) =>
                        item.section === SECTION ? currentServerSettings() : result[i],
                    );
                },
            },
        },
    };

    const next = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    client = next;
    try {
        await next.start();
    } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        outputChannel?.error(`Failed to start ${lookup.path}: ${msg}`);
        void vscode.window.showErrorMessage(`aa-lint: failed to start the language server (${lookup.path}): ${msg}`);
    }
}

async function stopClient(): Promise<void> {
    const old = client;
    client = undefined;
    if (old === undefined) {
        return;
    }
    try {
        await old.dispose(2000);
    } catch (err) {
        outputChannel?.error(`Error while stopping the server: ${err instanceof Error ? err.message : String(err)}`);
    }
}

async function restartClient(): Promise<void> {
    await stopClient();
    await startClient();
}

async function pushSettings(): Promise<void> {
    if (client === undefined || !client.isRunning()) {
        return;
    }
    await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: currentServerSettings() },
    });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    extensionPath = context.extensionPath;
    outputChannel = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
    context.subscriptions.push(outputChannel);

    const trees = new SyntaxTreeProvider(() => client);
    context.subscriptions.push(
        trees,
        vscode.workspace.registerTextDocumentContentProvider(SYNTAX_TREE_SCHEME, trees),
        vscode.commands.registerCommand('aa-lint.showSyntaxTree', showSyntaxTree),
        vscode.commands.registerCommand('aa-lint.restartServer', async () => {
            await restartClient();
            trees.refreshAll();
        }),
        vscode.workspace.onDidChangeConfiguration(async (e) => {
            if (e.affectsConfiguration(`${SECTION}.server.path`)) {
                await restartClient();
                trees.refreshAll();
                return;
            }
            if (
                e.affectsConfiguration(`${SECTION}.includePaths`) ||
                e.affectsConfiguration(`${SECTION}.baseDir`) ||
                e.affectsConfiguration(`${SECTION}.lint`) ||
                e.affectsConfiguration(`${SECTION}.docsUrl`)
            ) {
                await pushSettings();
            }
        }),
        { dispose: () => void stopClient() },
    );

    await startClient();
}

export async function deactivate(): Promise<void> {
    await stopClient();
}
