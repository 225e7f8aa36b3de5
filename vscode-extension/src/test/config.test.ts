import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { expandPath, toServerSettings } from '../config';

const env = { home: '/home/u', workspaceFolder: '/ws' };

test('expandPath handles ~, ${workspaceFolder} and relative paths', () => {
    assert.equal(expandPath('~', env), '/home/u');
    assert.equal(expandPath('~/aa', env), '/home/u/aa');
    assert.equal(expandPath('${workspaceFolder}/apparmor.d', env), '/ws/apparmor.d');
    assert.equal(expandPath('profiles', env), '/ws/profiles');
    assert.equal(expandPath('/etc/apparmor.d', env), '/etc/apparmor.d');
});

test('without a workspace folder, relative paths stay as they are', () => {
    assert.equal(expandPath('profiles', { home: '/home/u' }), 'profiles');
});

test('toServerSettings normalizes lists and the base directory', () => {
    const s = toServerSettings(
        {
            serverPath: null,
            includePaths: ['/etc/apparmor.d', ' ', 'local'],
            baseDir: '',
            lintSelect: ['all', ''],
            lintIgnore: [' unused-variable '],
            docsUrl: ' ',
        },
        env,
    );
    assert.deepEqual(s, {
        includePaths: ['/etc/apparmor.d', '/ws/local'],
        baseDir: null,
        lint: { select: ['all'], ignore: ['unused-variable'] },
        docsUrl: null,
    });
});

test('toServerSettings expands baseDir', () => {
    const s = toServerSettings(
        { serverPath: null, includePaths: [], baseDir: '~/apparmor.d', lintSelect: [], lintIgnore: [], docsUrl: null },
        env,
    );
    assert.equal(s.baseDir, '/home/u/apparmor.d');
});

test('toServerSettings passes docsUrl through, trimmed', () => {
    const s = toServerSettings(
        {
            serverPath: null,
            includePaths: [],
            baseDir: null,
            lintSelect: [],
            lintIgnore: [],
            docsUrl: ' https://example.org/aa-lint/lints ',
        },
        env,
    );
    assert.equal(s.docsUrl, 'https://example.org/aa-lint/lints');
});
