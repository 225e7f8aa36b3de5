import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { findServer } from '../server';

const base = { extensionPath: '/ext', envPath: '/usr/local/bin:/usr/bin', platform: 'linux' as const };

test('the setting wins when it points at an executable', () => {
    const r = findServer({ ...base, configured: '/opt/aa-lint', isExecutable: () => true });
    assert.deepEqual(r, { kind: 'found', path: '/opt/aa-lint', source: 'setting' });
});

test('a setting that points nowhere is an error, without fallback', () => {
    const r = findServer({ ...base, configured: '/nope/aa-lint', isExecutable: (p) => p !== '/nope/aa-lint' });
    assert.equal(r.kind, 'missing');
    assert.match(r.kind === 'missing' ? r.message : '', /aa-lint\.server\.path/);
});

test('the bundled binary comes before PATH', () => {
    const r = findServer({ ...base, configured: null, isExecutable: () => true });
    assert.deepEqual(r, { kind: 'found', path: '/ext/server/aa-lint', source: 'bundled' });
});

test('PATH is searched in order', () => {
    const r = findServer({ ...base, configured: '', isExecutable: (p) => p === '/usr/bin/aa-lint' });
    assert.deepEqual(r, { kind: 'found', path: '/usr/bin/aa-lint', source: 'path' });
});

test('nothing found gives a message naming the setting and PATH', () => {
    const r = findServer({ ...base, configured: null, isExecutable: () => false });
    assert.equal(r.kind, 'missing');
    if (r.kind === 'missing') {
        assert.deepEqual(r.tried, ['/ext/server/aa-lint', '/usr/local/bin/aa-lint', '/usr/bin/aa-lint']);
        assert.match(r.message, /PATH/);
        assert.match(r.message, /aa-lint\.server\.path/);
    }
});

test('Windows looks for aa-lint.exe with ; separators', () => {
    const r = findServer({
        configured: null,
        extensionPath: 'C:\\ext',
        envPath: 'C:\\bin;D:\\tools',
        platform: 'win32',
        isExecutable: (p) => p === 'D:\\tools\\aa-lint.exe',
    });
    assert.deepEqual(r, { kind: 'found', path: 'D:\\tools\\aa-lint.exe', source: 'path' });
});
