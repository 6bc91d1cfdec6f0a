/**
 * What npm ships and what a person gets from it. The packed tarball holds only what runs; installed into a
 * clean folder it answers `npx nanobanana-studio --help` and serves MCP over stdio through its own bin. The
 * registry's server.json and the Claude Desktop bundle manifest stay in step with package.json and the tools,
 * and the bundle's entry point behaves as Claude Desktop launches it.
 *
 * The install runs `npm install --prefer-offline` from the npm cache that `npm ci` filled (about 10 s here);
 * the hooks allow minutes for a cold cache. Building the .mcpb itself (`npm run bundle`, a clean build and a
 * production install) is left to `npm run test:bundle` (STUDIO_TEST_BUNDLE=1): it rewrites dist/ while the
 * other specs run from it.
 */
import { type SpawnOptions, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getMcpConfigForManifest, unpackExtension } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idsOf, textOf } from './helpers/studio.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const INSTALL_TIMEOUT = 300_000;

interface PackageJson {
  name: string;
  version: string;
  mcpName: string;
  engines: { node: string };
}
interface PackedFile {
  path: string;
  size: number;
  mode: number;
}
type Manifest = Parameters<typeof getMcpConfigForManifest>[0]['manifest'];

const pkg = readJson<PackageJson>('package.json');
const manifest = readJson<Manifest & { tools: Array<{ name: string }> }>('mcpb/manifest.json');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'nbs-pack-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm package', () => {
  let tarball: string;
  let files: PackedFile[];
  let consumer: string;
  let installSeconds: number;

  beforeAll(async () => {
    // --ignore-scripts: prepack would rebuild dist/ under the specs running from it; `npm test` just built it.
    const packed = await exec(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: PackedFile[]; size: number }>;
    if (!info) throw new Error(`npm pack reported nothing:\n${packed.stdout}`);
    tarball = path.join(work, info.filename);
    files = info.files;
    console.log(`packaging: ${info.filename} ${(info.size / 1024).toFixed(0)} kB, ${files.length} files`);

    consumer = path.join(work, 'consumer');
    await mkdir(consumer);
    await writeFile(path.join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
    const started = Date.now();
    const installed = await exec(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      cwd: consumer,
      timeoutMs: INSTALL_TIMEOUT,
    });
    installSeconds = (Date.now() - started) / 1000;
    expect(installed.code, installed.stderr).toBe(0);
    console.log(`packaging: npm install of the tarball took ${installSeconds.toFixed(1)} s`);
  }, INSTALL_TIMEOUT + 60_000);

  it('ships only what runs: dist/** (no sourcemaps), README.md, LICENSE, package.json', () => {
    const paths = files.map((f) => f.path).sort();
    const extra = paths.filter((p) => !p.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(p));
    expect(extra).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/cli/main.js']));
    // No sourcemaps: they point at src/, which is not shipped, and Node ignores them without --enable-source-maps.
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    // Nothing kept in dist/ from a source file that is gone.
    const stale = paths
      .filter((p) => /^dist\/.+\.js$/.test(p))
      .map((p) => p.slice('dist/'.length).replace(/\.js$/, ''))
      .filter((p) => !['.ts', '.tsx'].some((ext) => existsSync(path.join(ROOT, 'src', `${p}${ext}`))));
    expect(stale, 'stale files in dist/: remove dist/ and rebuild').toEqual([]);
    expect(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026/);
  });

  it('installs into a clean folder with the production dependencies only', async () => {
    const installed = path.join(consumer, 'node_modules');
    const names = await readdir(installed);
    expect(names).toContain('nanobanana-studio');
    // Nothing that package-lock.json marks as needed for development only (the compiler, the test runner, …).
    const lock = readJson<{ packages: Record<string, { dev?: boolean; devOptional?: boolean; version?: string }> }>(
      'package-lock.json',
    );
    const devOnly = Object.entries(lock.packages)
      // devOptional: a tool (vitest) that a dependency also names as an optional peer; not installed for users.
      .filter(([key, entry]) => (entry.dev || entry.devOptional) && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key))
      .map(([key, entry]) => ({ name: key.slice('node_modules/'.length), version: entry.version }));
    expect(devOnly.map((p) => p.name)).toEqual(
      expect.arrayContaining(['typescript', 'vitest', '@biomejs/biome', '@anthropic-ai/mcpb']),
    );
    // By name and version: a production dependency may need another version of a name the tools use too.
    const installedVersion = (name: string) => {
      const manifest = path.join(installed, ...name.split('/'), 'package.json');
      return existsSync(manifest)
        ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
        : undefined;
    };
    expect(devOnly.filter((p) => installedVersion(p.name) === p.version).map((p) => p.name)).toEqual([]);
    const main = path.join(installed, 'nanobanana-studio', 'dist', 'cli', 'main.js');
    expect(readFileSync(main, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    if (process.platform !== 'win32') expect(statSync(main).mode & 0o111).toBe(0o111);
  });

  it('npx nanobanana-studio --help: exit 0, usage on stderr, nothing on stdout', async () => {
    const help = await exec(NPX, ['--offline', 'nanobanana-studio', '--help'], { cwd: consumer });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toBe('');
    expect(help.stderr).toContain('nanobanana-studio serve');
    const version = await exec(binPath(consumer), ['--version'], { cwd: consumer });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stderr.trim()).toBe(pkg.version);
  });

  it('serves MCP over stdio from the installed bin and generates an image (--emulator)', async () => {
    const home = path.join(work, 'home-npm');
    const client = await connect({ command: binPath(consumer), args: ['--emulator'], cwd: consumer, home });
    try {
      const { tools } = await client.listTools();
      // The bundle manifest lists what the installed server really offers.
      expect(tools.map((t) => t.name)).toEqual(manifest.tools.map((t) => t.name));
      const result = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'a banana, from the tarball' },
      });
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(idsOf(result)).toHaveLength(1);
      expect(client.getServerVersion()?.version).toBe(pkg.version);
    } finally {
      await client.close();
    }
  });

  it('the command line for people works from the installed bin: generate, list, cost', async () => {
    const home = path.join(work, 'home-cli');
    const env = { PATH: process.env.PATH ?? '', HOME: home, STUDIO_DATA_DIR: path.join(home, 'data') };
    const bin = binPath(consumer);
    const made = await exec(bin, ['generate', 'a banana from the tarball', '--emulator', '--json'], {
      cwd: consumer,
      env,
    });
    expect(made.code, made.stderr).toBe(0);
    const [image] = (JSON.parse(made.stdout) as { images: Array<{ id: string; path: string }> }).images;
    expect(image?.id).toMatch(/^img_/);
    expect(existsSync(image?.path ?? '')).toBe(true);
    const listed = await exec(bin, ['list', '--json'], { cwd: consumer, env });
    expect(listed.stdout).toContain(image?.id);
    const cost = await exec(bin, ['cost', '--json'], { cwd: consumer, env });
    expect(cost.code, cost.stderr).toBe(0);
  });

  it('install and doctor work from the installed bin', async () => {
    const home = path.join(work, 'home-setup');
    await mkdir(home, { recursive: true });
    const env = { PATH: process.env.PATH ?? '', HOME: home, STUDIO_DATA_DIR: path.join(home, 'data') };
    const bin = binPath(consumer);
    // npm asks a registry that refuses connections: the package is "not there", whatever the machine's network.
    const installed = await exec(bin, ['install', 'cursor', '--api-key', 'k-test'], {
      cwd: consumer,
      env: { ...env, npm_config_registry: 'http://127.0.0.1:9/' },
    });
    expect(installed.code, installed.stderr).toBe(0);
    const config = JSON.parse(readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8'));
    // Not on the package registry (npm view finds nothing): the entry runs this installation (issue 13).
    expect(installed.stdout).toContain('Chose this installation: nanobanana-studio is not on the package registry');
    const entry = config.mcpServers.nanobanana as { command: string; args: string[] };
    expect(path.isAbsolute(entry.command)).toBe(true);
    expect(entry.args).toEqual([path.join(consumer, 'node_modules', 'nanobanana-studio', 'dist', 'cli', 'main.js')]);
    const doctor = await exec(bin, ['doctor', '--emulator', '--json', '--port', '0'], { cwd: consumer, env });
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
  });

  it('serves the in-chat gallery (MCP App) from the installed bin to an MCP Apps host', async () => {
    const home = path.join(work, 'home-app');
    const client = await connect({
      command: binPath(consumer),
      args: ['--emulator'],
      cwd: consumer,
      home,
      capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } },
    });
    try {
      const { tools } = await client.listTools();
      const generate = tools.find((t) => t.name === 'generate_image');
      const uri = (generate?._meta as { ui?: { resourceUri?: string } } | undefined)?.ui?.resourceUri;
      expect(uri).toMatch(/^ui:\/\//);
      const resource = await client.readResource({ uri: uri as string });
      const html = (resource.contents[0] as { text: string; mimeType: string }).text;
      expect(resource.contents[0]?.mimeType).toBe('text/html;profile=mcp-app');
      expect(html).toContain('<html');
    } finally {
      await client.close();
    }
  });
});

describe('registry metadata (server.json)', () => {
  const server = readJson<{
    $schema: string;
    name: string;
    description: string;
    version: string;
    packages: Array<{
      registryType: string;
      identifier: string;
      version: string;
      transport: { type: string; url?: string };
      environmentVariables?: Array<{ name: string; isSecret?: boolean }>;
    }>;
  }>('server.json');

  it('stays in step with package.json', () => {
    expect(server.$schema).toMatch(
      /^https:\/\/static\.modelcontextprotocol\.io\/schemas\/\d{4}-\d{2}-\d{2}\/server\.schema\.json$/,
    );
    expect(server.name).toBe(pkg.mcpName);
    expect(server.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(server.version).toBe(pkg.version);
    expect(server.description.length).toBeLessThanOrEqual(100);
    expect(server.packages.length).toBeGreaterThan(0);
    for (const p of server.packages) {
      expect(p).toMatchObject({ registryType: 'npm', identifier: pkg.name, version: pkg.version });
    }
    expect(server.packages.map((p) => p.transport.type)).toEqual(['stdio', 'streamable-http']);
  });

  it('documents only environment variables the server reads, the keys as secrets', () => {
    // Settings and their variables are declared in config/settings*.js (see src/config/settings.ts).
    const configFiles = readdirSync(path.join(ROOT, 'dist/config'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => `config/${f}`);
    const sources = [...configFiles, 'cli/program.js'].map((f) => readFileSync(path.join(ROOT, 'dist', f), 'utf8'));
    for (const variable of server.packages.flatMap((p) => p.environmentVariables ?? [])) {
      expect(
        sources.some((s) => s.includes(variable.name)),
        `${variable.name} is read by the server`,
      ).toBe(true);
      if (variable.name.endsWith('_API_KEY')) expect(variable.isSecret, variable.name).toBe(true);
    }
  });

  it('the bundle manifest and server.json match package.json and the tool definitions (npm run manifests)', async () => {
    const checked = await exec(process.execPath, ['scripts/buildMcpb.mjs', '--check'], { cwd: ROOT });
    expect(checked.code, checked.stderr).toBe(0);
  });
});

describe('Claude Desktop bundle (.mcpb)', () => {
  it('mcpb validate accepts the manifest', async () => {
    const validated = await exec(process.execPath, [mcpbCli(), 'validate', 'mcpb/manifest.json'], { cwd: ROOT });
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
    expect(validated.stdout).toContain('Manifest schema validation passes');
    expect(manifest).toMatchObject({
      name: pkg.name,
      version: pkg.version,
      server: { type: 'node', entry_point: 'server/index.mjs' },
      user_config: { gemini_api_key: { sensitive: true }, data_dir: { type: 'directory' } },
    });
    expect(manifest.compatibility?.runtimes?.node).toBe(`${pkg.engines.node}.0`);
  });

  it('an empty setting falls back to the default instead of a folder named after the placeholder', async () => {
    // The bundle's layout (server/index.mjs next to dist/) with the repository's files.
    const extension = path.join(work, 'extension');
    await mkdir(extension);
    await symlink(path.join(ROOT, 'mcpb'), path.join(extension, 'server'), 'junction');
    const home = path.join(work, 'home-desktop');
    const config = await launchConfig(extension, { gemini_api_key: 'test-key' }, home);
    // What Claude Desktop's loader passes when the folder was left empty.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal, unreplaced placeholder.
    expect(config.env?.STUDIO_DATA_DIR).toBe('${user_config.data_dir}');
    const cwd = path.join(work, 'desktop-cwd');
    await mkdir(cwd);
    const client = await connect({ ...config, cwd, home, env: { ...config.env, STUDIO_EMULATOR: 'true' } });
    try {
      const result = await client.callTool({ name: 'generate_image', arguments: { prompt: 'a banana, one click' } });
      expect(result.isError, textOf(result)).toBeFalsy();
    } finally {
      await client.close();
    }
    expect(await readdir(cwd)).toEqual([]);
    if (process.platform === 'linux') {
      expect(existsSync(path.join(home, '.local', 'share', 'nanobanana-studio', 'studio.db'))).toBe(true);
    }

    // A chosen folder is used as it is.
    const chosen = path.join(work, 'chosen-folder');
    const withFolder = await launchConfig(extension, { gemini_api_key: 'test-key', data_dir: chosen }, home);
    const second = await connect({ ...withFolder, cwd, home, env: { ...withFolder.env, STUDIO_EMULATOR: 'true' } });
    try {
      const result = await second.callTool({ name: 'generate_image', arguments: { prompt: 'a banana, kept here' } });
      expect(result.isError, textOf(result)).toBeFalsy();
    } finally {
      await second.close();
    }
    expect(existsSync(path.join(chosen, 'studio.db'))).toBe(true);
  });

  it.runIf(process.env.STUDIO_TEST_BUNDLE === '1')(
    'npm run bundle builds a .mcpb that runs as Claude Desktop starts it',
    async () => {
      const started = Date.now();
      const built = await exec(process.execPath, ['scripts/buildMcpb.mjs'], { cwd: ROOT, timeoutMs: 900_000 });
      expect(built.code, built.stderr).toBe(0);
      const file = path.join(ROOT, 'build', `${pkg.name}-${pkg.version}.mcpb`);
      console.log(
        `packaging: bundle ${(statSync(file).size / 1024 / 1024).toFixed(1)} MB built in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
      const unpacked = path.join(work, 'unpacked');
      expect(await unpackExtension({ mcpbPath: file, outputDir: unpacked, silent: true })).toBe(true);
      const bundled = JSON.parse(readFileSync(path.join(unpacked, 'manifest.json'), 'utf8')) as typeof manifest;
      expect(bundled.version).toBe(pkg.version);
      expect(bundled.tools).toEqual(manifest.tools);
      expect(existsSync(path.join(unpacked, 'src'))).toBe(false);
      expect(existsSync(path.join(unpacked, 'node_modules', 'vitest'))).toBe(false);
      for (const platform of ['darwin-arm64', 'darwin-x64', 'win32-x64', 'linux-x64']) {
        expect(
          existsSync(path.join(unpacked, 'node_modules', '@img', `sharp-${platform}`, 'package.json')),
          platform,
        ).toBe(true);
      }
      const home = path.join(work, 'home-bundle');
      const config = await launchConfig(unpacked, { gemini_api_key: 'test-key' }, home);
      const client = await connect({ ...config, cwd: unpacked, home, env: { ...config.env, STUDIO_EMULATOR: 'true' } });
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toEqual(manifest.tools.map((t) => t.name));
        const result = await client.callTool({ name: 'generate_image', arguments: { prompt: 'a banana, bundled' } });
        expect(result.isError, textOf(result)).toBeFalsy();
      } finally {
        await client.close();
      }
    },
    1_000_000,
  );
});

/** The command, arguments and environment Claude Desktop's loader derives from the manifest. */
async function launchConfig(extensionPath: string, userConfig: Record<string, string>, home: string) {
  const config = await getMcpConfigForManifest({
    manifest,
    extensionPath,
    systemDirs: { HOME: home, DESKTOP: home, DOCUMENTS: home, DOWNLOADS: home },
    userConfig,
    pathSeparator: path.sep,
  });
  if (!config) throw new Error('the manifest yields no MCP config');
  // Claude Desktop runs "node" with the Node.js it ships; here, this Node.
  return { ...config, command: config.command === 'node' ? process.execPath : config.command };
}

async function connect(options: {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd: string;
  home: string;
  capabilities?: ConstructorParameters<typeof Client>[1] extends infer O
    ? O extends { capabilities?: infer C }
      ? C
      : never
    : never;
}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: options.command,
    args: options.args ?? [],
    // Only what a client passes: no STUDIO_* or GEMINI_* from this shell.
    env: { PATH: process.env.PATH ?? '', HOME: options.home, USERPROFILE: options.home, ...options.env },
    cwd: options.cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client(
    { name: 'nbs-packaging', version: '1.0.0' },
    options.capabilities ? { capabilities: options.capabilities } : undefined,
  );
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return client;
}

function binPath(consumer: string): string {
  return path.join(
    consumer,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'nanobanana-studio.cmd' : 'nanobanana-studio',
  );
}

function mcpbCli(): string {
  const dir = path.join(ROOT, 'node_modules', '@anthropic-ai', 'mcpb');
  const { bin } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: string };
  return path.join(dir, bin);
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as T;
}

function exec(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { timeoutMs = 60_000, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...spawnOptions,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32' && command.endsWith('.cmd'),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
