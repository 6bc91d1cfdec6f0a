#!/usr/bin/env node
// npm run conformance: the official MCP conformance suite (@modelcontextprotocol/conformance, a
// devDependency) against the built server over Streamable HTTP on 127.0.0.1, sign-in off (the suite cannot
// send a bearer token), the Gemini emulator in-process, and the suite's fixtures registered
// (STUDIO_CONFORMANCE_FIXTURES=true). Scenarios that do not apply to this server are listed, with the
// reason, in conformance-baseline.yml; the suite fails on any other failure and on a listed one that passes.
// Results: test-results/conformance/<scenario>/checks.json.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const suiteVersion = JSON.parse(
  readFileSync(path.join(root, 'node_modules/@modelcontextprotocol/conformance/package.json'), 'utf8'),
).version;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nbs-conformance-'));
const server = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'serve', '--port', '0', '--emulator'], {
  env: {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    STUDIO_DATA_DIR: dataDir,
    STUDIO_AUTH: 'off',
    STUDIO_AUTO_STYLE: 'false',
    STUDIO_SHUTDOWN_GRACE_SECONDS: '0',
    STUDIO_CONFORMANCE_FIXTURES: 'true',
  },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const url = await new Promise((resolve, reject) => {
  let text = '';
  const timer = setTimeout(() => reject(new Error(`the server did not start:\n${text}`)), 30_000);
  server.stderr.on('data', (chunk) => {
    text += chunk;
    const match = /Listening on (http:\/\/\S+\/mcp)/.exec(text);
    if (match) {
      clearTimeout(timer);
      resolve(match[1]);
    }
  });
  server.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${text}`)));
});
process.stderr.write(`@modelcontextprotocol/conformance ${suiteVersion} against ${url}\n`);
const suite = spawn(
  process.execPath,
  [
    path.join(root, 'node_modules/@modelcontextprotocol/conformance/dist/index.js'),
    'server',
    '--url',
    url,
    '--suite',
    'all',
    '--expected-failures',
    path.join(root, 'conformance-baseline.yml'),
    '-o',
    path.join(root, 'test-results/conformance'),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
const code = await new Promise((resolve) => suite.once('exit', (c) => resolve(c ?? 1)));
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });
process.exit(code);
