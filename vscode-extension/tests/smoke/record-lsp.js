#!/usr/bin/env node
// Stands between the extension and the real `aa-lint lsp` ($AA_LINT_BIN):
// passes every byte through unchanged and appends each JSON-RPC message, with
// its direction, to $AA_LINT_RECORD as one JSON line. It changes nothing the
// server or the client sees; it only lets the smoke test read the exchange.
'use strict';

const fs = require('node:fs');
const { spawn } = require('node:child_process');

const bin = process.env.AA_LINT_BIN;
const log = process.env.AA_LINT_RECORD;
if (!bin || !log) {
    process.stderr.write('record-lsp: AA_LINT_BIN and AA_LINT_RECORD must be set\n');
    process.exit(2);
}

const server = spawn(bin, process.argv.slice(2), { stdio: ['pipe', 'pipe', 'inherit'] });

// Splits a byte stream into `Content-Length` framed messages.
function framer(direction) {
    let buffer = Buffer.alloc(0);
    return (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
            const headerEnd = buffer.indexOf('\r\n\r\n');
            if (headerEnd < 0) {
                return;
            }
            const match = /Content-Length: *(\d+)/i.exec(buffer.subarray(0, headerEnd).toString('ascii'));
            if (!match) {
                return;
            }
            const length = Number(match[1]);
            const start = headerEnd + 4;
            if (buffer.length < start + length) {
                return;
            }
            const body = buffer.subarray(start, start + length).toString('utf8');
            buffer = buffer.subarray(start + length);
            fs.appendFileSync(log, JSON.stringify({ direction, message: JSON.parse(body) }) + '\n');
        }
    };
}

const fromClient = framer('client');
const fromServer = framer('server');
process.stdin.on('data', (chunk) => {
    fromClient(chunk);
    server.stdin.write(chunk);
});
process.stdin.on('end', () => server.stdin.end());
server.stdout.on('data', (chunk) => {
    fromServer(chunk);
    process.stdout.write(chunk);
});
server.on('exit', (code, signal) => {
    fs.appendFileSync(log, JSON.stringify({ direction: 'exit', code, signal }) + '\n');
    process.exit(code ?? 1);
});
