/**
 * Configs that start, from a clone: `install` writes `npx -y nanobanana-studio` only when the package
 * registry npm uses has the package (a registry on loopback here, asked by the real `npm view`), and
 * otherwise this installation by absolute path, saying which it chose; the entry it writes for Claude
 * Desktop is then started exactly as Claude Desktop does (command, args, env) and answers a real MCP
 * client. `serve` prints the dashboard and the `install … --url` command, which writes each client's own
 * remote format; the VS Code entry it writes connects to the running server. `/` leads to the dashboard.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type ClientId } from '../src/cli/install/clients.js';
import { parseJsonc } from '../src/cli/install/jsonc.js';
import { type FakeRegistry, startFakeRegistry } from './helpers/fakeRegistry.js';
import { runCli } from './helpers/runCli.js';
import { CLI, type StudioProcess, startStudio, textOf } from './helpers/studio.js';

const homes: string[] = [];
let unpublished: FakeRegistry;
let published: FakeRegistry;

beforeAll(async () => {
  unpublished = await startFakeRegistry(undefined);
  published = await startFakeRegistry({ name: 'nanobanana-studio', version: '0.4.2' });
});
afterAll(async () => {
  await unpublished?.close();
  await published?.close();
  await Promise.all(homes.map((h) => rm(h, { recursive: true, force: true })));
});

async function home(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-launch-'));
  homes.push(dir);
  return dir;
}
const install = (args: string[], dir: string, registry: FakeRegistry) =>
  runCli(['install', ...args], { env: { HOME: dir, USERPROFILE: dir, ...registry.env }, cwd: dir, timeoutMs: 30_000 });
const configOf = (client: ClientId, dir: string) =>
  CLIENTS[client].configPath({ env: { HOME: dir, USERPROFILE: dir }, platform: process.platform });
async function readConfig(client: ClientId, dir: string): Promise<Record<string, Record<string, unknown>>> {
  const text = await readFile(configOf(client, dir), 'utf8');
  const doc =
    CLIENTS[client].format === 'toml'
      ? (JSON.parse(JSON.stringify(parseToml(text))) as Record<string, unknown>)
      : (parseJsonc(text).root?.value as Record<string, unknown>);
  return doc[CLIENTS[client].serversKey] as Record<string, Record<string, unknown>>;
}

describe('install chooses a command that starts', () => {
  it('from a clone (package not on the registry): this installation by absolute path, and it starts', async () => {
    const dir = await home();
    const result = await install(['claude-desktop', '--emulator'], dir, unpublished);
    expect(result.code, result.stderr).toBe(0);
    expect(unpublished.requests).toContain('GET /nanobanana-studio');
    expect(result.stdout).toMatch(
      /Chose this installation: nanobanana-studio is not on the package registry \(npm view: 404 Not Found\)/,
    );
    const entry = (await readConfig('claude-desktop', dir)).nanobanana as {
      command: string;
      args: string[];
      env?: Record<string, string>;
    };
    expect(entry.command).toBe(process.execPath);
    expect(entry.args).toEqual([CLI, '--emulator']);

    // Started the way Claude Desktop starts it: the command and args from the file, its env, cwd "/".
    const dataDir = await home();
    const client = new Client({ name: 'claude-ai', version: '0.1.0' });
    await client.connect(
      new StdioClientTransport({
        command: entry.command,
        args: entry.args,
        env: { PATH: '/usr/bin:/bin', HOME: dir, STUDIO_DATA_DIR: dataDir, ...entry.env },
        cwd: '/',
        stderr: 'ignore',
      }),
    );
    try {
      const made = await client.callTool({ name: 'generate_image', arguments: { prompt: 'a lighthouse' } });
      expect(made.isError, textOf(made)).toBeFalsy();
      expect(textOf(made)).toMatch(/Image img_/);
    } finally {
      await client.close();
    }
  });

  it('npx when the registry has the package, and --local / --npx force either', async () => {
    const dir = await home();
    const auto = await install(['cursor', '--api-key', 'AIza-x'], dir, published);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stdout).toContain('Chose npx: nanobanana-studio 0.4.2 is on the package registry');
    expect((await readConfig('cursor', dir)).nanobanana).toMatchObject({
      command: 'npx',
      args: ['-y', 'nanobanana-studio'],
    });

    const local = await install(['cursor', '--local'], dir, published);
    expect(local.stdout).toContain('Chose this installation: --local');
    expect((await readConfig('cursor', dir)).nanobanana).toMatchObject({ command: process.execPath, args: [CLI] });

    const npx = await install(['cursor', '--npx'], dir, unpublished);
    expect(npx.stdout).toContain('Chose npx: --npx');
    const both = await install(['cursor', '--npx', '--local'], dir, unpublished);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/use one of --local, --npx and --command/);
  });

  it('--print says on stderr which it chose', async () => {
    const dir = await home();
    const result = await install(['gemini-cli', '--print', '--emulator'], dir, unpublished);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).mcpServers.nanobanana.command).toBe(process.execPath);
    expect(result.stderr).toMatch(/Runs this installation: nanobanana-studio is not on the package registry/);
  });
});

describe('install --url: a running server, in each client’s own remote format', () => {
  const URL = 'http://127.0.0.1:8766/mcp';
  // Each format from the client's public docs (see src/cli/install/clients.ts for the sources).
  const expected: Record<ClientId, Record<string, unknown>> = {
    'claude-code': { type: 'http', url: URL },
    cursor: { url: URL },
    vscode: { type: 'http', url: URL },
    codex: { url: URL, tool_timeout_sec: 300 },
    'gemini-cli': { httpUrl: URL },
    'claude-desktop': { command: 'npx', args: ['-y', 'mcp-remote', URL] },
  };
  it.each(Object.keys(expected) as ClientId[])('%s', async (client) => {
    const dir = await home();
    // An earlier stdio entry with a key is replaced by the remote one, key and all.
    await install([client, '--npx', '--api-key', 'AIza-old'], dir, unpublished);
    const result = await install([client, '--url', URL], dir, unpublished);
    expect(result.code, result.stderr).toBe(0);
    expect((await readConfig(client, dir)).nanobanana).toEqual(expected[client]);
    expect(await readFile(configOf(client, dir), 'utf8')).not.toContain('AIza-old');
    expect(result.stdout).not.toContain('Chose');
  });

  it('refuses a bad URL and options that belong to a local server', async () => {
    const dir = await home();
    const bad = await install(['vscode', '--url', 'localhost:8766'], dir, unpublished);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/must be http:\/\/ or https:\/\/|is not a URL/);
    const mixed = await install(['vscode', '--url', URL, '--api-key', 'k'], dir, unpublished);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--api-key belongs to that server's own start/);
  });
});

describe('serve points people to the dashboard and to the install command', () => {
  let studio: StudioProcess;
  beforeAll(async () => {
    studio = await startStudio('http', { args: ['--emulator'] });
  });
  afterAll(async () => {
    await studio?.close({ removeData: true });
  });

  it('prints the dashboard URL, and / redirects there', async () => {
    expect(studio.stderr()).toContain(`Dashboard: ${studio.url}/ui`);
    const status = await new Promise<{ code?: number; location?: string }>((resolve, reject) => {
      http
        .get(`${studio.url}/`, (res) => {
          res.resume();
          resolve({ code: res.statusCode, location: res.headers.location });
        })
        .on('error', reject);
    });
    expect(status).toEqual({ code: 302, location: '/ui' });
    const page = await fetch(`${studio.url}/ui`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });

  it('prints an install command that, run as printed (for VS Code), writes an entry that connects', async () => {
    const printed = /^ {2}(.+) install claude-code --url (\S+)$/m.exec(studio.stderr());
    expect(printed, studio.stderr()).not.toBeNull();
    const [, self, url] = printed as unknown as [string, string, string];
    expect(self).toBe(`${process.execPath} ${CLI}`);
    expect(url).toBe(`${studio.url}/mcp`);
    expect(studio.stderr()).not.toContain('Client config: {');

    const dir = await home();
    const result = await install(['vscode', '--url', url], dir, unpublished);
    expect(result.code, result.stderr).toBe(0);
    const entry = (await readConfig('vscode', dir)).nanobanana as { type: string; url: string };
    const client = new Client({ name: 'Visual Studio Code', version: '1.106.0' });
    await client.connect(new StreamableHTTPClientTransport(new globalThis.URL(entry.url)));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('generate_image');
    } finally {
      await client.close();
    }
  });
});
