/**
 * The inconsistencies a newcomer met at the command line, each fixed and checked against the real CLI and
 * servers: which key is used when both are set, server file paths only where they mean something, the
 * emulator latency flag on generate, the commands an unknown one lists, CLI errors in CLI words and codes,
 * a busy port, and logs that a person can read on a terminal (JSON otherwise).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, generateRequests, marker, startEmulator } from './helpers/emulator.js';
import { runCli } from './helpers/runCli.js';
import { CLI, makeDataDir, startStudio, textOf } from './helpers/studio.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.close();
});

const base = { HOME: '/tmp' };

describe('one key, one story', () => {
  it('with GEMINI_API_KEY and GOOGLE_API_KEY both set, the server uses and says GEMINI_API_KEY, as doctor does', async () => {
    const studio = await startStudio('stdio', {
      geminiUrl: emu.url,
      apiKey: 'AIza-gemini-key',
      env: { GOOGLE_API_KEY: 'AIza-google-key', STUDIO_LOG_FORMAT: 'json' },
    });
    try {
      const m = marker('keys');
      const made = await studio.client.callTool({ name: 'generate_image', arguments: { prompt: `a fox ${m}` } });
      expect(made.isError, textOf(made)).toBeFalsy();
      const sent = generateRequests(emu, m)[0];
      expect(sent?.headers['x-goog-api-key']).toBe('AIza-gemini-key');
      expect(studio.stderr()).toContain('using GEMINI_API_KEY');
      expect(studio.stderr()).not.toContain('Using GOOGLE_API_KEY');
    } finally {
      await studio.close({ removeData: true });
    }
    const doctor = await runCli(['doctor', '--json', '--timeout', '5'], {
      env: {
        ...base,
        STUDIO_DATA_DIR: await makeDataDir(),
        GEMINI_BASE_URL: emu.url,
        GEMINI_API_KEY: 'AIza-gemini-key',
        GOOGLE_API_KEY: 'AIza-google-key',
      },
    });
    const key = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; detail: string }> }).checks.find(
      (c) => c.id === 'api-key',
    );
    expect(key?.detail).toMatch(/GEMINI_API_KEY is used/);
  });
});

describe('server file paths only where they mean something', () => {
  it.each(['stdio', 'http'] as const)('%s', async (kind) => {
    const studio = await startStudio(kind, { geminiUrl: emu.url });
    try {
      const made = await studio.client.callTool({ name: 'generate_image', arguments: { prompt: 'a bridge' } });
      expect(made.isError, textOf(made)).toBeFalsy();
      if (kind === 'stdio') expect(textOf(made)).toMatch(/- file: \//);
      else {
        // Over HTTP upload_file takes no paths, so results do not show one either; the URL is the way.
        expect(textOf(made)).not.toMatch(/- file:|\/tmp\//);
        expect(textOf(made)).toMatch(/- url: http/);
      }
    } finally {
      await studio.close({ removeData: true });
    }
  });
});

describe('the command line says what it means', () => {
  it('generate takes --emulator-latency-ms, as --help lists it', async () => {
    const started = Date.now();
    const run = await runCli(['generate', 'a slow snail', '--emulator', '--emulator-latency-ms', '400', '--quiet'], {
      env: { ...base, STUDIO_DATA_DIR: await makeDataDir() },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^img_/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    const help = await runCli(['generate', '--help'], { env: base });
    expect(help.stdout + help.stderr).toContain('--emulator-latency-ms');
    const bad = await runCli(['generate', 'x', '--emulator', '--emulator-latency-ms', 'soon'], {
      env: { ...base, STUDIO_DATA_DIR: await makeDataDir() },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--emulator-latency-ms expects a number/);
  });

  it('an unknown command lists every command', async () => {
    const run = await runCli(['frobnicate'], { env: base });
    expect(run.code).toBe(2);
    for (const command of [
      'serve',
      'emulator',
      'generate',
      'edit',
      'list',
      'open',
      'cost',
      'install',
      'doctor',
      'token',
      'budget',
      'migrate',
    ]) {
      expect(run.stderr).toContain(command);
    }
  });

  it('errors name CLI commands, not tool names; a missing file is a bad argument (2), an unknown id not found (7)', async () => {
    const env = { ...base, STUDIO_DATA_DIR: await makeDataDir() };
    const unknown = await runCli(['open', 'img_aaaaaaaaaaaaaaaaaaaaaaaaaa', '--print'], { env });
    expect(unknown.code).toBe(7);
    expect(unknown.stderr).toMatch(/Run nanobanana-studio list to see the ids/);
    expect(unknown.stderr).not.toContain('list_images');
    const missing = await runCli(['edit', '/tmp/nbs-no-such-photo.png', 'make it night', '--emulator'], { env });
    expect(missing.stderr).toMatch(/No file at \/tmp\/nbs-no-such-photo\.png/);
    expect(missing.code).toBe(2);
  });
});

describe('a busy port', () => {
  it('prints a hint on one line, not a stack trace', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const run = await runCli(['serve', '--emulator', '--port', String(port)], {
        env: { ...base, STUDIO_DATA_DIR: await makeDataDir(), STUDIO_LOG_FORMAT: 'json' },
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(run.stderr).toMatch(/--port \d+ \(or --port 0 for any free port/);
      expect(run.stderr).not.toMatch(/\n\s+at |EADDRINUSE|"stack"/);
    } finally {
      blocker.close();
    }
  });
});

describe('logs', () => {
  it('are lines for people on a terminal (a real pseudo-terminal), JSON lines otherwise', async () => {
    const dataDir = await makeDataDir();
    // `script` gives the CLI a real pty as stdin/stdout/stderr; stdin closes at once, which ends the session.
    const onTty = spawnSync('script', ['-qec', `${process.execPath} ${CLI} --emulator --log-level info`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: '/tmp', STUDIO_DATA_DIR: dataDir, NO_COLOR: '1', TERM: 'dumb' },
      input: '\x04',
      encoding: 'utf8',
      timeout: 20_000,
    });
    const ttyText = onTty.stdout;
    expect(ttyText).toMatch(/\d\d:\d\d:\d\d WARN {2}Offline demo: using the built-in Gemini emulator/);
    expect(ttyText).not.toContain('{"level"');

    const piped = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [CLI, '--emulator'], {
        env: { PATH: process.env.PATH ?? '', HOME: '/tmp', STUDIO_DATA_DIR: dataDir },
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (c) => {
        err += c;
      });
      child.on('exit', () => resolve(err));
      setTimeout(() => child.stdin.end(), 500);
    });
    const first = piped.split('\n').find((l) => l.includes('Offline demo')) ?? '';
    expect(JSON.parse(first)).toMatchObject({ level: 40, msg: expect.stringContaining('Offline demo') });
  });
});
