import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type ClientId } from '../src/cli/install/clients.js';
import { diffText, maskSecrets } from '../src/cli/install/files.js';
import { JsonSyntaxError, parseJsonc } from '../src/cli/install/jsonc.js';
import { mergeJsonServer } from '../src/cli/install/mergeJson.js';
import { mergeTomlServer, splitDottedKey } from '../src/cli/install/mergeToml.js';
import { type FakeRegistry, startFakeRegistry } from './helpers/fakeRegistry.js';
import { runCli as runProcess } from './helpers/runCli.js';

const CLI = path.resolve(import.meta.dirname, '../dist/cli/main.js');
/** VS Code's reference to a prompted secret, as the entry holds it. */
const VSCODE_INPUT = `\${input:gemini-api-key}`;
const homes: string[] = [];
// A registry that has the package, so that install chooses npx (tests/installLaunch.spec.ts covers the rest).
let registry: FakeRegistry;

beforeAll(async () => {
  registry = await startFakeRegistry({ name: 'nanobanana-studio', version: '0.1.0' });
});
afterAll(async () => {
  await registry?.close();
  await Promise.all(homes.map((h) => rm(h, { recursive: true, force: true })));
});

async function makeHome(): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'nbs-install-'));
  homes.push(home);
  return home;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with only PATH, HOME and `env`: no XDG_CONFIG_HOME, APPDATA, CODEX_HOME or keys leak in. */
function runCli(args: string[], home: string, env: Record<string, string> = {}): Promise<RunResult> {
  return runProcess(args, {
    env: { HOME: home, USERPROFILE: home, ...registry.env, ...env },
    cwd: home,
    timeoutMs: 20_000,
  });
}

function configFile(client: ClientId, home: string): string {
  return CLIENTS[client].configPath({ env: { HOME: home, USERPROFILE: home }, platform: process.platform });
}

async function backupsOf(file: string): Promise<string[]> {
  const base = path.basename(file);
  const names = await readdir(path.dirname(file));
  return names
    .filter((n) => n.startsWith(`${base}.bak-`))
    .sort()
    .map((n) => path.join(path.dirname(file), n));
}

/** A realistic existing configuration per client, holding someone else's server. */
const EXISTING: Record<ClientId, string> = {
  'claude-desktop': `${JSON.stringify(
    {
      mcpServers: {
        filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me'] },
      },
      globalShortcut: 'Alt+Space',
    },
    null,
    2,
  )}\n`,
  'claude-code': `${JSON.stringify(
    {
      numStartups: 42,
      projects: { '/work/app': { mcpServers: { local: { type: 'stdio', command: 'local-mcp' } } } },
      mcpServers: { github: { type: 'stdio', command: 'gh-mcp', args: [], env: { GITHUB_TOKEN: 'ghp_other' } } },
      userID: 'abc',
    },
    null,
    2,
  )}\n`,
  cursor: `${JSON.stringify({ mcpServers: { linear: { url: 'https://mcp.linear.app/sse' } } }, null, 2)}\n`,
  vscode: `// My VS Code MCP servers
{
  "servers": {
    /* GitHub's remote server */
    "github": {
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/",
    },
  },
  "inputs": [
    { "type": "promptString", "id": "token", "password": true },
  ],
}
`,
  codex: `# Codex settings
model = "gpt-5-codex"
approval_policy = "on-request"

[mcp_servers.docs]
command = "docs-mcp"   # the docs server
args = ["--stdio"]

[mcp_servers.docs.env]
DOCS_TOKEN = "t0ken"

# a profile for quick work
[profiles.fast]
model = "gpt-5-mini"

[tools]
web_search = true
`,
  'gemini-cli': `${JSON.stringify(
    {
      theme: 'GitHub',
      selectedAuthType: 'gemini-api-key',
      mcpServers: { context7: { httpUrl: 'https://mcp.context7.com/mcp' } },
    },
    null,
    2,
  )}\n`,
};

/** Parses a client's file the way the client does (strict JSON where it reads strict JSON). */
function readConfig(client: ClientId, text: string): Record<string, unknown> {
  if (CLIENTS[client].format === 'toml') return JSON.parse(JSON.stringify(parseToml(text)));
  if (CLIENTS[client].strictJson) return JSON.parse(text);
  return parseJsonc(text).root?.value as Record<string, unknown>;
}

function serversOf(client: ClientId, doc: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return doc[CLIENTS[client].serversKey] as Record<string, Record<string, unknown>>;
}

const ALL = Object.keys(EXISTING) as ClientId[];

describe.each(ALL)('install %s', (client) => {
  it('merges into the existing file: others intact, ours right, backup kept; a second run replaces ours', async () => {
    const home = await makeHome();
    const file = configFile(client, home);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, EXISTING[client]);
    const before = readConfig(client, EXISTING[client]);

    const first = await runCli(['install', client, '--api-key', 'AIza-first-key'], home);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(file);
    expect(first.stdout).toMatch(/Next: /);
    expect(first.stdout).not.toContain('AIza-first-key');

    const text = await readFile(file, 'utf8');
    const after = readConfig(client, text);
    const servers = serversOf(client, after);
    const oldServers = serversOf(client, before);
    for (const [name, entry] of Object.entries(oldServers)) expect(servers[name]).toEqual(entry);
    for (const key of Object.keys(before)) {
      if (key !== CLIENTS[client].serversKey && key !== 'inputs') expect(after[key]).toEqual(before[key]);
    }
    const ours = servers.nanobanana;
    expect(ours).toMatchObject({
      command: 'npx',
      args: ['-y', 'nanobanana-studio'],
      env: { GEMINI_API_KEY: 'AIza-first-key' },
    });
    if (client === 'vscode' || client === 'claude-code') expect(ours?.type).toBe('stdio');
    if (client === 'codex') expect(ours).toMatchObject({ startup_timeout_sec: 60, tool_timeout_sec: 300 });

    const [backup, ...more] = await backupsOf(file);
    expect(more).toEqual([]);
    expect(path.basename(backup ?? '')).toMatch(/\.bak-\d{8}-\d{6}$/);
    expect(await readFile(backup as string, 'utf8')).toBe(EXISTING[client]);

    // Again, with another key: ours is replaced, not duplicated; the others are still there.
    const second = await runCli(['install', client, '--api-key', 'AIza-second-key'], home);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('replaced server "nanobanana"');
    const text2 = await readFile(file, 'utf8');
    const servers2 = serversOf(client, readConfig(client, text2));
    expect(servers2.nanobanana?.env).toEqual({ GEMINI_API_KEY: 'AIza-second-key' });
    expect(Object.keys(servers2).sort()).toEqual([...Object.keys(oldServers), 'nanobanana'].sort());
    const header = client === 'codex' ? /^\[mcp_servers\.nanobanana\]$/gm : /"nanobanana"\s*:/g;
    expect(text2.match(header)).toHaveLength(1);
    const backups = await backupsOf(file);
    expect(backups).toHaveLength(2);
    expect(await readFile(backups[1] as string, 'utf8')).toBe(text);

    // A third identical run changes nothing and makes no backup.
    const third = await runCli(['install', client, '--api-key', 'AIza-second-key'], home);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('nothing to change');
    expect(await backupsOf(file)).toHaveLength(2);
  });

  it('--print writes nothing and prints the snippet', async () => {
    const home = await makeHome();
    const result = await runCli(['install', client, '--print', '--api-key', 'AIza-print'], home);
    expect(result.code).toBe(0);
    expect(await readdir(home)).toEqual([]);
    const doc = readConfig(client, result.stdout);
    expect(serversOf(client, doc).nanobanana).toMatchObject({
      command: 'npx',
      args: ['-y', 'nanobanana-studio'],
      env: { GEMINI_API_KEY: 'AIza-print' },
    });
    expect(result.stderr).toContain(configFile(client, home));
  });

  it('leaves an unparseable file untouched and exits 2 with a clear message', async () => {
    const home = await makeHome();
    const file = configFile(client, home);
    await mkdir(path.dirname(file), { recursive: true });
    const broken =
      CLIENTS[client].format === 'toml'
        ? '[mcp_servers.docs]\ncommand = "docs-mcp\n'
        : '{\n  "mcpServers": {\n    "x": { "command": "x" }\n  \n';
    await writeFile(file, broken);
    const result = await runCli(['install', client, '--api-key', 'AIza-x'], home);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(CLIENTS[client].format === 'toml' ? /is not valid TOML/ : /is not valid JSON/);
    expect(result.stderr).toContain('The file was not changed');
    expect(await readFile(file, 'utf8')).toBe(broken);
    expect(await backupsOf(file)).toEqual([]);
  });

  it('creates the file (and its folders) when there is none', async () => {
    const home = await makeHome();
    const result = await runCli(['install', client, '--api-key', 'AIza-new'], home);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Created the file');
    const file = configFile(client, home);
    const servers = serversOf(client, readConfig(client, await readFile(file, 'utf8')));
    expect(Object.keys(servers)).toEqual(['nanobanana']);
    // It holds a key: readable by its owner only.
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await backupsOf(file)).toEqual([]);
  });
});

describe('install: choices', () => {
  it('unknown or missing client exits 2 and lists the clients', async () => {
    const home = await makeHome();
    for (const args of [['install', 'notepad'], ['install']]) {
      const result = await runCli(args, home);
      expect(result.code).toBe(2);
      for (const id of ALL) expect(result.stderr).toContain(id);
    }
    expect(await readdir(home)).toEqual([]);
  });

  it('takes the key from the environment, else keeps the one in the entry, else notes that there is none', async () => {
    const home = await makeHome();
    const file = configFile('cursor', home);
    const fromEnv = await runCli(['install', 'cursor'], home, { GEMINI_API_KEY: 'AIza-from-env' });
    expect(fromEnv.stdout).toContain('GEMINI_API_KEY from this shell');
    expect(JSON.parse(await readFile(file, 'utf8')).mcpServers.nanobanana.env).toEqual({
      GEMINI_API_KEY: 'AIza-from-env',
    });

    const kept = await runCli(['install', 'cursor', '--env', 'STUDIO_DEFAULT_MODEL=pro'], home);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('kept from the previous entry');
    expect(JSON.parse(await readFile(file, 'utf8')).mcpServers.nanobanana.env).toEqual({
      GEMINI_API_KEY: 'AIza-from-env',
      STUDIO_DEFAULT_MODEL: 'pro',
    });

    const fresh = await makeHome();
    const none = await runCli(['install', 'gemini-cli'], fresh);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No Gemini API key given');
    const entry = JSON.parse(await readFile(configFile('gemini-cli', fresh), 'utf8')).mcpServers.nanobanana;
    expect(entry.env).toBeUndefined();
  });

  it('VS Code without a key prompts for it through an input, and keeps comments and trailing commas', async () => {
    const home = await makeHome();
    const file = configFile('vscode', home);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, EXISTING.vscode);
    const result = await runCli(['install', 'vscode'], home);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('secret storage');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('// My VS Code MCP servers');
    expect(text).toContain("/* GitHub's remote server */");
    const doc = parseJsonc(text).root?.value as {
      servers: Record<string, { env?: Record<string, string> }>;
      inputs: Array<{ id: string }>;
    };
    expect(doc.servers.nanobanana?.env).toEqual({ GEMINI_API_KEY: VSCODE_INPUT });
    expect(doc.inputs.map((i) => i.id)).toEqual(['token', 'gemini-api-key']);
    // Again: the input is not added twice.
    await runCli(['install', 'vscode', '--name', 'nanobanana'], home);
    const again = parseJsonc(await readFile(file, 'utf8')).root?.value as { inputs: unknown[] };
    expect(again.inputs).toHaveLength(2);
  });

  it('Codex keeps the other tables and the comments', async () => {
    const home = await makeHome();
    const file = configFile('codex', home);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, EXISTING.codex);
    expect((await runCli(['install', 'codex', '--api-key', 'AIza-codex'], home)).code).toBe(0);
    await runCli(['install', 'codex', '--api-key', 'AIza-codex-2', '--emulator'], home);
    const text = await readFile(file, 'utf8');
    for (const line of EXISTING.codex.split('\n')) expect(text).toContain(line);
    const doc = parseToml(text) as Record<string, Record<string, unknown>>;
    expect(doc.profiles).toEqual({ fast: { model: 'gpt-5-mini' } });
    expect(doc.tools).toEqual({ web_search: true });
    expect(doc.mcp_servers?.nanobanana).toMatchObject({
      args: ['-y', 'nanobanana-studio', '--emulator'],
      env: { GEMINI_API_KEY: 'AIza-codex-2' },
    });
  });

  it('Claude Desktop: a file with comments is rewritten as plain JSON, which Claude can read', async () => {
    const home = await makeHome();
    const file = configFile('claude-desktop', home);
    await mkdir(path.dirname(file), { recursive: true });
    const withComments = '{\n  // mine\n  "mcpServers": { "fs": { "command": "fs" }, },\n}\n';
    await writeFile(file, withComments);
    const result = await runCli(['install', 'claude-desktop', '--api-key', 'AIza-c'], home);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rewritten as plain JSON');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(doc.mcpServers)).toEqual(['fs', 'nanobanana']);
    expect(await readFile((await backupsOf(file))[0] as string, 'utf8')).toBe(withComments);
  });

  it('refuses a file whose server list has the wrong shape, leaving it as it was', async () => {
    const home = await makeHome();
    const file = configFile('cursor', home);
    await mkdir(path.dirname(file), { recursive: true });
    const odd = '{ "mcpServers": ["not", "an", "object"] }\n';
    await writeFile(file, odd);
    const result = await runCli(['install', 'cursor', '--api-key', 'AIza-x'], home);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"mcpServers" is not a JSON object');
    expect(await readFile(file, 'utf8')).toBe(odd);
  });

  it('--dry-run shows the change with the key masked and writes nothing', async () => {
    const home = await makeHome();
    const file = configFile('claude-code', home);
    await writeFile(file, EXISTING['claude-code']);
    const result = await runCli(['install', 'claude-code', '--dry-run', '--api-key', 'AIza-dry-secret'], home);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('+       "command": "npx"');
    expect(result.stdout).toContain('"GEMINI_API_KEY": "********"');
    expect(result.stdout).not.toContain('AIza-dry-secret');
    expect(await readFile(file, 'utf8')).toBe(EXISTING['claude-code']);
    expect(await backupsOf(file)).toEqual([]);
  });

  it('--local runs this installation with node; --command/--args and --name are honoured', async () => {
    const home = await makeHome();
    const file = configFile('cursor', home);
    expect((await runCli(['install', 'cursor', '--local', '--emulator'], home)).code).toBe(0);
    const local = JSON.parse(await readFile(file, 'utf8')).mcpServers.nanobanana;
    expect(local.command).toBe(process.execPath);
    expect(local.args).toEqual([CLI, '--emulator']);
    expect(local.env).toBeUndefined();

    const custom = await runCli(
      ['install', 'cursor', '--name', 'banana-dev', '--command', 'bunx', '--args', '["nanobanana-studio@0.1.0"]'],
      home,
    );
    expect(custom.code).toBe(0);
    const doc = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(doc.mcpServers)).toEqual(['nanobanana', 'banana-dev']);
    expect(doc.mcpServers['banana-dev']).toEqual({ command: 'bunx', args: ['nanobanana-studio@0.1.0'] });

    const bad = await runCli(['install', 'cursor', '--name', 'no spaces'], home);
    expect(bad.code).toBe(2);
  });
});

describe('install: helpers', () => {
  it('finds each client file on Linux, macOS and Windows', () => {
    const linux = { env: { HOME: '/home/me' }, platform: 'linux' as const };
    const xdg = { env: { HOME: '/home/me', XDG_CONFIG_HOME: '/cfg' }, platform: 'linux' as const };
    const mac = { env: { HOME: '/Users/me' }, platform: 'darwin' as const };
    const win = {
      env: { USERPROFILE: 'C:\\Users\\me', APPDATA: 'C:\\Users\\me\\AppData\\Roaming' },
      platform: 'win32' as const,
    };
    expect(CLIENTS['claude-desktop'].configPath(linux)).toBe('/home/me/.config/Claude/claude_desktop_config.json');
    expect(CLIENTS['claude-desktop'].configPath(xdg)).toBe('/cfg/Claude/claude_desktop_config.json');
    expect(CLIENTS['claude-desktop'].configPath(mac)).toBe(
      '/Users/me/Library/Application Support/Claude/claude_desktop_config.json',
    );
    expect(CLIENTS['claude-desktop'].configPath(win)).toBe(
      'C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    );
    expect(CLIENTS.vscode.configPath(linux)).toBe('/home/me/.config/Code/User/mcp.json');
    expect(CLIENTS.vscode.configPath(mac)).toBe('/Users/me/Library/Application Support/Code/User/mcp.json');
    expect(CLIENTS.vscode.configPath(win)).toBe('C:\\Users\\me\\AppData\\Roaming\\Code\\User\\mcp.json');
    expect(CLIENTS['claude-code'].configPath(mac)).toBe('/Users/me/.claude.json');
    expect(CLIENTS['claude-code'].configPath(win)).toBe('C:\\Users\\me\\.claude.json');
    expect(CLIENTS.cursor.configPath(win)).toBe('C:\\Users\\me\\.cursor\\mcp.json');
    expect(CLIENTS.codex.configPath(linux)).toBe('/home/me/.codex/config.toml');
    expect(CLIENTS.codex.configPath({ ...linux, env: { ...linux.env, CODEX_HOME: '/opt/codex' } })).toBe(
      '/opt/codex/config.toml',
    );
    expect(CLIENTS['gemini-cli'].configPath(mac)).toBe('/Users/me/.gemini/settings.json');
  });

  it('Claude Code on Windows starts npx through cmd /c', () => {
    const spec = { command: 'npx', args: ['-y', 'nanobanana-studio'], env: {} };
    expect(CLIENTS['claude-code'].entry(spec, 'win32')).toEqual({
      type: 'stdio',
      command: 'cmd',
      args: ['/c', 'npx', '-y', 'nanobanana-studio'],
    });
    expect(CLIENTS['claude-code'].entry(spec, 'linux')).toMatchObject({ command: 'npx' });
  });

  it('parses JSON with comments and reports syntax errors with their position', () => {
    expect(parseJsonc('{"a": [1, 2,], /* c */ "b": {"__proto__": 1},}').root?.value).toEqual(
      JSON.parse('{"a": [1, 2], "b": {"__proto__": 1}}'),
    );
    expect(parseJsonc('{"a": 1}').strict).toBe(true);
    expect(parseJsonc('{"a": 1,}').strict).toBe(false);
    expect(parseJsonc('  \n').root).toBeUndefined();
    expect(() => parseJsonc('{\n  "a": 1\n  "b": 2\n}')).toThrow(JsonSyntaxError);
    try {
      parseJsonc('{\n  "a": 1\n  "b": 2\n}');
    } catch (error) {
      expect((error as JsonSyntaxError).line).toBe(3);
    }
  });

  it('edits JSON in place: CRLF, tabs and empty objects', () => {
    const crlf = '{\r\n\t"mcpServers": {}\r\n}\r\n';
    const merged = mergeJsonServer({
      text: crlf,
      serversKey: 'mcpServers',
      name: 'nb',
      entry: { command: 'npx' },
      strictJson: true,
    });
    expect(merged.note).toBeUndefined();
    expect(merged.text).toBe(
      '{\r\n\t"mcpServers": {\r\n\t\t"nb": {\r\n\t\t\t"command": "npx"\r\n\t\t}\r\n\t}\r\n}\r\n',
    );
  });

  it('edits JSON in place without re-laying-out the entries next to ours', () => {
    const text = '{\n  // mine\n  "mcpServers": {\n    "other": { "command": "x" }, // keep\n  },\n}\n';
    const merged = mergeJsonServer({
      text,
      serversKey: 'mcpServers',
      name: 'nb',
      entry: { command: 'npx' },
      strictJson: false,
    });
    expect(merged.note).toBeUndefined();
    expect(merged.text).toBe(
      '{\n  // mine\n  "mcpServers": {\n    "other": { "command": "x" },\n    "nb": {\n      "command": "npx"\n    }, // keep\n  },\n}\n',
    );
  });

  it('TOML: dotted keys and inline tables for our server fall back to a full rewrite that stays correct', () => {
    for (const text of [
      'model = "x"\n[mcp_servers]\nnanobanana = { command = "old" }\nother = { command = "o" }\n',
      'model = "x"\nmcp_servers.nanobanana.command = "old"\n[mcp_servers.other]\ncommand = "o"\n',
    ]) {
      const merged = mergeTomlServer({
        text,
        serversKey: 'mcp_servers',
        name: 'nanobanana',
        entry: { command: 'npx' },
      });
      expect(parseToml(merged.text)).toEqual({
        model: 'x',
        mcp_servers: { nanobanana: { command: 'npx' }, other: { command: 'o' } },
      });
    }
    expect(splitDottedKey('mcp_servers."nano.banana"')).toEqual(['mcp_servers', 'nano.banana']);
    expect(splitDottedKey("a . 'b' . c")).toEqual(['a', 'b', 'c']);
  });

  it('masks secrets in diffs', () => {
    expect(maskSecrets('    "GEMINI_API_KEY": "AIzaSecret"')).toBe('    "GEMINI_API_KEY": "********"');
    expect(maskSecrets('GITHUB_TOKEN = "ghp_x"')).toBe('GITHUB_TOKEN = "********"');
    expect(maskSecrets(`"GEMINI_API_KEY": "${VSCODE_INPUT}"`)).toContain(VSCODE_INPUT);
    expect(diffText('a\nb\nc\n', 'a\nB\nc\n')).toBe('@@ -1,3 +1,3 @@\n  a\n- b\n+ B\n  c');
  });
});
