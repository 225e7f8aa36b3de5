// Settings: reading them is done by `extension.ts`; this module only turns
// the raw values into what the server receives, so it can be unit-tested
// without VS Code.

import * as os from 'node:os';
import * as path from 'node:path';

/** The section all our settings live under. */
export const SECTION = 'aa-lint';

/** The settings as VS Code stores them (`aa-lint.*`). */
export interface RawSettings {
    serverPath: string | null;
    includePaths: string[];
    baseDir: string | null;
    lintSelect: string[];
    lintIgnore: string[];
    docsUrl: string | null;
}

/**
 * What the server receives, both as `initializationOptions` and as
 * `settings["aa-lint"]` in `workspace/didChangeConfiguration`.
 * Every editor configuration in `editors/` sends this same shape.
 */
export interface ServerSettings {
    includePaths: string[];
    baseDir: string | null;
    lint: {
        select: string[];
        ignore: string[];
    };
    /** Base URL of the lint pages; `null`: the server's default. */
    docsUrl: string | null;
}

export interface ExpandEnv {
    home: string;
    /** The first workspace folder, used for `${workspaceFolder}` and relative paths. */
    workspaceFolder?: string;
}

export function defaultExpandEnv(workspaceFolder?: string): ExpandEnv {
    return { home: os.homedir(), workspaceFolder };
}

/**
 * Expands a leading `~` and `${workspaceFolder}`, then makes a relative path
 * absolute against the workspace folder (when there is one).
 */
export function expandPath(p: string, env: ExpandEnv): string {
    let out = p.trim();
    if (out === '~') {
        out = env.home;
    } else if (out.startsWith('~/')) {
        out = path.join(env.home, out.slice(2));
    }
    if (out.includes('${workspaceFolder}')) {
        if (env.workspaceFolder === undefined) {
            return out;
        }
        out = out.split('${workspaceFolder}').join(env.workspaceFolder);
    }
    if (!path.isAbsolute(out) && env.workspaceFolder !== undefined) {
        out = path.join(env.workspaceFolder, out);
    }
    return out;
}

function cleanList(xs: readonly unknown[] | undefined): string[] {
    if (!Array.isArray(xs)) {
        return [];
    }
    return xs.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
}

export function toServerSettings(raw: RawSettings, env: ExpandEnv): ServerSettings {
    const baseDir = typeof raw.baseDir === 'string' && raw.baseDir.trim() !== '' ? expandPath(raw.baseDir, env) : null;
    return {
        includePaths: cleanList(raw.includePaths).map((p) => expandPath(p, env)),
        baseDir,
        lint: {
            select: cleanList(raw.lintSelect),
            ignore: cleanList(raw.lintIgnore),
        },
        docsUrl: typeof raw.docsUrl === 'string' && raw.docsUrl.trim() !== '' ? raw.docsUrl.trim() : null,
    };
}
