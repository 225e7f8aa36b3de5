// Bundles the extension (and the unit tests) with esbuild, so the .vsix
// carries no node_modules. `--production` minifies; `--watch` rebuilds.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
};

const builds = [
    {
        ...common,
        entryPoints: ['src/extension.ts'],
        outfile: 'out/extension.js',
        external: ['vscode'],
    },
];

// The unit tests cover only modules that do not import `vscode`.
const tests = readdirSync('src/test').filter((f) => f.endsWith('.test.ts'));
if (!production && tests.length > 0) {
    builds.push({
        ...common,
        entryPoints: tests.map((f) => `src/test/${f}`),
        outdir: 'out/test',
        external: ['vscode'],
    });
}

if (watch) {
    for (const b of builds) {
        const ctx = await esbuild.context(b);
        await ctx.watch();
    }
} else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
}
