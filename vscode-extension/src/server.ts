// Finding the `aa-lint` binary. Pure apart from the injected file checks,
// so it can be unit-tested without VS Code.

import * as fs from 'node:fs';
import * as path from 'node:path';

export type ServerSource = 'setting' | 'bundled' | 'path';

export type ServerLookup =
    | { kind: 'found'; path: string; source: ServerSource }
    | { kind: 'missing'; message: string; tried: string[] };

export interface LookupOptions {
    /** `aa-lint.server.path`, already expanded; null or empty when unset. */
    configured: string | null;
    /** The extension's install directory; the bundled binary is `server/aa-lint` in it. */
    extensionPath: string;
    /** The `PATH` environment variable. */
    envPath: string | undefined;
    platform: NodeJS.Platform;
    isExecutable?: (p: string) => boolean;
}

export function binaryName(platform: NodeJS.Platform): string {
    return platform === 'win32' ? 'aa-lint.exe' : 'aa-lint';
}

export function isExecutableFile(p: string): boolean {
    try {
        const st = fs.statSync(p);
        if (!st.isFile()) {
            return false;
        }
        if (process.platform === 'win32') {
            return true;
        }
        fs.accessSync(p, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/**
 * Order: the setting, then the binary bundled in the extension, then `PATH`.
 * A setting that points nowhere is an error, not a reason to fall back:
 * the user asked for that binary.
 */
export function findServer(opts: LookupOptions): ServerLookup {
    const isExec = opts.isExecutable ?? isExecutableFile;
    const name = binaryName(opts.platform);
    const pathApi = opts.platform === 'win32' ? path.win32 : path.posix;

    if (opts.configured !== null && opts.configured.trim() !== '') {
        const configured = opts.configured.trim();
        if (isExec(configured)) {
            return { kind: 'found', path: configured, source: 'setting' };
        }
        return {
            kind: 'missing',
            tried: [configured],
            message: `The setting aa-lint.server.path is "${configured}", but no executable file is there.`,
        };
    }

    const tried: string[] = [];
    const bundled = pathApi.join(opts.extensionPath, 'server', name);
    tried.push(bundled);
    if (isExec(bundled)) {
        return { kind: 'found', path: bundled, source: 'bundled' };
    }

    const sep = opts.platform === 'win32' ? ';' : ':';
    for (const dir of (opts.envPath ?? '').split(sep)) {
        if (dir === '') {
            continue;
        }
        const candidate = pathApi.join(dir, name);
        tried.push(candidate);
        if (isExec(candidate)) {
            return { kind: 'found', path: candidate, source: 'path' };
        }
    }

    return {
        kind: 'missing',
        tried,
        message:
            'Could not find the aa-lint language server: aa-lint.server.path is not set, ' +
            'the extension has no bundled server/aa-lint, and aa-lint is not on PATH. ' +
            'Install aa-lint (for example `cargo install --path crates/aa-lint` in the aa-lint repository) ' +
            'or set aa-lint.server.path.',
    };
}
