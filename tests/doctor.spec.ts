import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/index.js';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { runCli } from './helpers/runCli.js';

const _CLI = path.resolve(import.meta.dirname, '../dist/cli/main.js');
const SECRET_KEY = 'test-key-doctor-7f3a9c';
const temps: string[] = [];
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.close();
  await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-doctor-'));
  temps.push(dir);
  return dir;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Check {
  id: string;
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDoctor(args: string[], env: Record<string, string>): Promise<Result> {
  return runCli(['doctor', ...args], { env });
}

/** A healthy set-up: the emulator as Gemini with a key, a fresh data folder, a free port. */
async function healthyEnv(): Promise<Record<string, string>> {
  const home = await tempDir();
  return {
    HOME: home,
    GEMINI_API_KEY: SECRET_KEY,
    GEMINI_BASE_URL: emu.url,
    STUDIO_DATA_DIR: await tempDir(),
    STUDIO_PORT: String(await freePort()),
  };
}

async function doctorJson(args: string[], env: Record<string, string>) {
  const result = await runDoctor(['--json', ...args], env);
  const report = JSON.parse(result.stdout) as { ok: boolean; version: string; checks: Check[] };
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c])) as Record<string, Check>;
  return { ...result, report, byId };
}

describe('nanobanana-studio doctor', () => {
  it('is all green against the emulator with a fresh data folder, and never prints the key', async () => {
    const result = await runDoctor([], await healthyEnv());
    expect(result.stdout).not.toContain('✗');
    expect(result.code).toBe(0);
    for (const name of ['Node.js', 'API key', 'Key works', 'Models', 'Data folder', 'Database', 'HTTP port', 'Auth']) {
      expect(result.stdout).toMatch(new RegExp(`[✓!] ${name.replace('.', '\\.')} `));
    }
    expect(result.stdout).toContain('nb2 (gemini-3.1-flash-image)');
    expect(result.stdout).toContain('All checks passed');
    expect(result.stdout + result.stderr).not.toContain(SECRET_KEY);
  });

  it('--json: one document listing every check', async () => {
    const { code, report, byId } = await doctorJson([], await healthyEnv());
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual([
      'node',
      'settings',
      'api-key',
      'key-valid',
      'models',
      'data-folder',
      'database',
      'http-port',
      'auth',
    ]);
    expect(['ok', 'warn']).toContain(byId.node?.status);
    for (const c of report.checks.filter((c) => c.id !== 'node')) expect(c.status, c.id).toBe('ok');
    expect(byId['key-valid']?.detail).toContain('GEMINI_BASE_URL');
    expect(byId.database?.detail).toContain('not created yet');
  });

  it('--emulator needs no key', async () => {
    const env = await healthyEnv();
    delete env.GEMINI_API_KEY;
    delete env.GEMINI_BASE_URL;
    const { code, byId } = await doctorJson(['--emulator'], env);
    expect(code).toBe(0);
    expect(byId['api-key']).toMatchObject({ status: 'ok', detail: 'not needed in emulator mode' });
    expect(byId['key-valid']?.detail).toContain('emulator');
    expect(byId.models?.status).toBe('ok');
  });

  it('a missing key fails the key check with its fix, and exits 1', async () => {
    const env = await healthyEnv();
    delete env.GEMINI_API_KEY;
    const { code, report, byId } = await doctorJson([], env);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(byId['api-key']?.status).toBe('fail');
    expect(byId['api-key']?.fix).toMatch(/GEMINI_API_KEY/);
    expect(byId['api-key']?.fix).toContain('https://aistudio.google.com/apikey');
    expect(byId['key-valid']?.status).toBe('skip');

    const human = await runDoctor([], env);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✗ API key/);
    expect(human.stdout).toMatch(/fix: Get a key at/);
  });

  it('a rejected key fails the validity check with its fix, without printing the key', async () => {
    const env = { ...(await healthyEnv()), GEMINI_API_KEY: 'invalid-key-5e1d77' };
    const { code, byId, stdout, stderr } = await doctorJson([], env);
    expect(code).toBe(1);
    expect(byId['api-key']?.status).toBe('ok');
    expect(byId['key-valid']?.status).toBe('fail');
    expect(byId['key-valid']?.detail).toMatch(/rejected/i);
    expect(byId['key-valid']?.fix).toMatch(/valid key in GEMINI_API_KEY/);
    expect(byId.models?.status).toBe('skip');
    expect(stdout + stderr).not.toContain('invalid-key-5e1d77');
  });

  it('warns when GEMINI_API_KEY and GOOGLE_API_KEY differ', async () => {
    const env = { ...(await healthyEnv()), GOOGLE_API_KEY: 'another-key-123456' };
    const { code, byId } = await doctorJson([], env);
    expect(code).toBe(0);
    expect(byId['api-key']).toMatchObject({ status: 'warn' });
    expect(byId['api-key']?.fix).toContain('GOOGLE_API_KEY');
  });

  it('a data folder that is not a folder fails with its fix', async () => {
    const file = path.join(await tempDir(), 'not-a-folder');
    await writeFile(file, 'x');
    const { code, byId } = await doctorJson([], { ...(await healthyEnv()), STUDIO_DATA_DIR: file });
    expect(code).toBe(1);
    expect(byId['data-folder']).toMatchObject({ status: 'fail', detail: `${file} exists but is not a folder` });
    expect(byId['data-folder']?.fix).toMatch(/--data-dir or STUDIO_DATA_DIR/);
    expect(byId.database?.status).toBe('skip');
  });

  // Node's recursive mkdir spins for ever under procfs (src/core/makeFolder.ts): before, doctor never ended here.
  it.skipIf(process.platform !== 'linux')(
    'a data folder under /proc fails with its fix instead of hanging',
    async () => {
      const dir = '/proc/nanobanana-studio-test/data';
      const { code, byId } = await doctorJson(['--data-dir', dir], await healthyEnv());
      expect(code).toBe(1);
      expect(byId['data-folder']).toMatchObject({ status: 'fail' });
      expect(byId['data-folder']?.detail).toContain('/proc/nanobanana-studio-test');
      expect(byId['data-folder']?.fix).toMatch(/--data-dir/);
    },
  );

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)(
    'a read-only data folder fails with its fix',
    async () => {
      const dir = await tempDir();
      await chmod(dir, 0o500);
      try {
        const { code, byId } = await doctorJson(['--data-dir', dir], await healthyEnv());
        expect(code).toBe(1);
        expect(byId['data-folder']).toMatchObject({ status: 'fail' });
        expect(byId['data-folder']?.detail).toContain('is not writable');
        expect(byId['data-folder']?.fix).toMatch(/--data-dir/);
      } finally {
        await chmod(dir, 0o700);
      }
    },
  );

  it('an unmigrated database fails with its fix; a migrated one passes', async () => {
    const env = await healthyEnv();
    const file = path.join(env.STUDIO_DATA_DIR as string, 'studio.db');
    const sqlite = new BetterSqlite3(file);
    sqlite.exec('create table unrelated (a integer)');
    sqlite.close();
    const stale = await doctorJson([], env);
    expect(stale.code).toBe(1);
    expect(stale.byId.database?.status).toBe('fail');
    expect(stale.byId.database?.detail).toMatch(/pending migrations \S+/);
    expect(stale.byId.database?.fix).toMatch(/Start the server once|nanobanana-studio migrate/);

    const migrated = await openDatabase({ kind: 'sqlite', path: file });
    await migrated.close();
    const fine = await doctorJson([], env);
    expect(fine.byId.database).toMatchObject({ status: 'ok' });
    expect(fine.byId.database?.detail).toContain('up to date');
  });

  it('a busy HTTP port fails with its fix', async () => {
    const env = await healthyEnv();
    // Accepts connections and never answers (doctor probes /health to tell a running studio apart).
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const { code, byId } = await doctorJson(['--port', String(port)], env);
      expect(code).toBe(1);
      expect(byId['http-port']).toMatchObject({
        status: 'fail',
        detail: `127.0.0.1:${port} is already in use by another program`,
      });
      expect(byId['http-port']?.fix).toMatch(/--port or STUDIO_PORT/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a running nanobanana-studio on the port is a warning, not a failure', async () => {
    const env = await healthyEnv();
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', version: '9.9.9', emulator: false }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const { code, byId } = await doctorJson(['--port', String(port)], env);
      expect(code).toBe(0);
      expect(byId['http-port']).toMatchObject({
        status: 'warn',
        detail: `127.0.0.1:${port} is in use by a running nanobanana-studio 9.9.9`,
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('auth: fine on loopback, a warning on a public address', async () => {
    const env = await healthyEnv();
    const loopback = await doctorJson([], env);
    expect(loopback.byId.auth).toMatchObject({ status: 'ok' });
    expect(loopback.byId.auth?.detail).toContain('loopback');
    const open = await doctorJson(['--host', '0.0.0.0'], env);
    expect(open.byId.auth?.status).toBe('warn');
    expect(open.byId.auth?.fix).toContain('127.0.0.1');
  });

  it('a bad option exits 2; a bad setting fails the settings check', async () => {
    const env = await healthyEnv();
    expect((await runDoctor(['--bogus'], env)).code).toBe(2);
    const { code, byId } = await doctorJson([], { ...env, STUDIO_PORT: 'abc' });
    expect(code).toBe(1);
    expect(byId.settings?.status).toBe('fail');
    expect(byId.settings?.detail).toContain('STUDIO_PORT');
  });
});
