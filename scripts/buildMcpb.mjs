#!/usr/bin/env node
// The Claude Desktop bundle (.mcpb) and the registry metadata kept in step with package.json.
//
//   node scripts/buildMcpb.mjs            build build/nanobanana-studio-<version>.mcpb (npm run bundle)
//   node scripts/buildMcpb.mjs --sync     rewrite mcpb/manifest.json (version, tools) and server.json (versions)
//   node scripts/buildMcpb.mjs --check    fail when either is stale (tests/packaging.spec.ts runs it)
//
// The bundle holds exactly what `npm pack` ships (dist, README, LICENSE, package.json), the production
// dependencies installed from package-lock.json, the manifest and the entry point mcpb/index.mjs. sharp's
// native binaries are per platform packages, and npm installs only the one of the machine it runs on, so the
// others Claude Desktop runs on (macOS, Windows; x64 and arm64) are fetched with `npm pack` and unpacked next
// to it. better-sqlite3 already ships prebuilt binaries for every platform. `--platforms a,b` narrows the set.
// The tools list comes from the built tool definitions (dist/), in the order the server registers them.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const MANIFEST = path.join(ROOT, 'mcpb', 'manifest.json');
const ENTRY = path.join(ROOT, 'mcpb', 'index.mjs');
const SERVER_JSON = path.join(ROOT, 'server.json');
const BUILD = path.join(ROOT, 'build');
const STAGE = path.join(BUILD, 'mcpb');
const DOWNLOADS = path.join(BUILD, 'tarballs');
/**
 * Platforms whose sharp binaries the bundle carries, about 18 MB each: Claude Desktop's (macOS and Windows),
 * and Linux x64 for other hosts (the one npm installs here anyway).
 */
const PLATFORMS = ['darwin-arm64', 'darwin-x64', 'win32-x64', 'win32-arm64', 'linux-x64'];
/** Only needed to compile better-sqlite3 from source, which a bundle never does (it ships prebuilds). */
const PRUNE = [
  'node_modules/better-sqlite3/deps',
  'node_modules/better-sqlite3/src',
  'node_modules/.package-lock.json',
];

const { values } = parseArgs({
  options: { sync: { type: 'boolean' }, check: { type: 'boolean' }, platforms: { type: 'string' } },
});

const pkg = readJson(path.join(ROOT, 'package.json'));
if (values.check) process.exit(await check());
if (values.sync) process.exit(await sync());
await bundle(values.platforms ? values.platforms.split(',') : PLATFORMS);

/** The manifest and server.json as they should be for the current package.json and dist/. */
async function expected() {
  const manifest = readJson(MANIFEST);
  const server = readJson(SERVER_JSON);
  return {
    manifest: { ...manifest, version: pkg.version, tools: await manifestTools() },
    server: {
      ...server,
      name: pkg.mcpName,
      version: pkg.version,
      packages: server.packages.map((p) =>
        p.registryType === 'npm' ? { ...p, identifier: pkg.name, version: pkg.version } : p,
      ),
    },
  };
}

async function manifestTools() {
  const dist = (file) => import(pathToFileURL(path.join(ROOT, 'dist', 'tools', file)).href);
  if (!existsSync(path.join(ROOT, 'dist', 'tools'))) throw new Error('dist/ is missing: run `npm run build` first.');
  // The same order as src/server/mcpServerFactory.ts registers them. The in-chat gallery's app-only tools
  // (appTools.js) are left out: hosts show them to the gallery, never to the assistant.
  const tools = [
    ...(await dist('imageTools.js')).imageTools,
    ...(await dist('pipelineTools.js')).pipelineTools,
    ...(await dist('galleryTools.js')).galleryTools,
    ...(await dist('uploadTools.js')).uploadTools,
    ...(await dist('libraryTool.js')).libraryTools,
  ];
  return tools.map((tool) => ({ name: tool.name, description: firstSentence(tool.description) }));
}

function firstSentence(text) {
  return /^(.+?[.!?])(\s|$)/s.exec(text)?.[1] ?? text;
}

async function check() {
  const want = await expected();
  const stale = [
    isDeepStrictEqual(readJson(MANIFEST), want.manifest) ? undefined : 'mcpb/manifest.json',
    isDeepStrictEqual(readJson(SERVER_JSON), want.server) ? undefined : 'server.json',
  ].filter(Boolean);
  if (stale.length > 0) {
    process.stderr.write(
      `${stale.join(' and ')} out of step with package.json or the tool definitions: run \`npm run manifests\` and commit the result.\n`,
    );
    return 1;
  }
  process.stderr.write('mcpb/manifest.json and server.json: in step\n');
  return 0;
}

async function sync() {
  const want = await expected();
  writeJson(MANIFEST, want.manifest);
  writeJson(SERVER_JSON, want.server);
  // Keep the files as Biome formats them, so `npm run lint` stays clean.
  const biome = path.join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
  if (existsSync(biome)) run(process.execPath, [biome, 'format', '--write', MANIFEST, SERVER_JSON], ROOT);
  process.stderr.write('mcpb/manifest.json and server.json updated\n');
  return 0;
}

async function bundle(platforms) {
  const started = Date.now();
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(STAGE, { recursive: true });
  mkdirSync(DOWNLOADS, { recursive: true });

  // 1. What npm publishes (prepack builds dist/ first), unpacked as the bundle's root.
  step('npm pack');
  const tarball = npmPack([], DOWNLOADS);
  untar(tarball, STAGE);

  // 2. Production dependencies at the versions of package-lock.json, from the npm cache where it can.
  step('npm ci --omit=dev');
  cpSync(path.join(ROOT, 'package-lock.json'), path.join(STAGE, 'package-lock.json'));
  run(npm(), ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], STAGE);
  rmSync(path.join(STAGE, 'package-lock.json'));

  // 3. sharp's binaries for the other platforms.
  const sharp = readJson(path.join(STAGE, 'node_modules', 'sharp', 'package.json'));
  for (const platform of platforms) {
    for (const name of [`@img/sharp-${platform}`, `@img/sharp-libvips-${platform}`]) {
      const version = sharp.optionalDependencies?.[name];
      const target = path.join(STAGE, 'node_modules', ...name.split('/'));
      if (!version || existsSync(target)) continue;
      step(`add ${name}@${version}`);
      mkdirSync(target, { recursive: true });
      untar(npmPack([`${name}@${version}`], DOWNLOADS), target);
    }
  }
  for (const relative of PRUNE) rmSync(path.join(STAGE, relative), { recursive: true, force: true });

  // 4. Entry point and manifest, then the archive.
  mkdirSync(path.join(STAGE, 'server'));
  cpSync(ENTRY, path.join(STAGE, 'server', 'index.mjs'));
  // The operating systems the bundle has sharp binaries for (npm installed this machine's own).
  const { manifest } = await expected();
  const covered = new Set([...platforms, `${process.platform}-${process.arch}`].map((p) => p.split('-')[0]));
  const compatibility = manifest.compatibility ?? {};
  writeJson(path.join(STAGE, 'manifest.json'), {
    ...manifest,
    compatibility: { ...compatibility, platforms: (compatibility.platforms ?? []).filter((os) => covered.has(os)) },
  });
  const output = path.join(BUILD, `${pkg.name}-${pkg.version}.mcpb`);
  rmSync(output, { force: true });
  step('mcpb pack');
  run(process.execPath, [mcpbCli(), 'pack', STAGE, output], ROOT);

  process.stderr.write(
    `\n${path.relative(ROOT, output)}: ${mb(statSync(output).size)}, sharp for ${platforms.join(', ')}, ` +
      `built in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
}

function npmPack(args, destination) {
  const result = run(npm(), ['pack', ...args, '--json', '--pack-destination', destination], ROOT, 'pipe');
  // Lifecycle scripts (prepack) print to stdout too: the JSON report is the last thing written.
  const [info] = JSON.parse(result.stdout.slice(result.stdout.search(/^\[\s*$/m)));
  return path.join(destination, info.filename);
}

function untar(file, destination) {
  run('tar', ['-xzf', file, '-C', destination, '--strip-components=1'], ROOT);
}

function mcpbCli() {
  const dir = path.join(ROOT, 'node_modules', '@anthropic-ai', 'mcpb');
  const { bin } = readJson(path.join(dir, 'package.json'));
  return path.join(dir, typeof bin === 'string' ? bin : bin.mcpb);
}

function npm() {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

function run(command, args, cwd, stdout = 'inherit') {
  const result = spawnSync(command, args, {
    cwd,
    stdio: ['ignore', stdout, 'inherit'],
    encoding: 'utf8',
    shell: process.platform === 'win32' && command.endsWith('.cmd'),
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
  return result;
}

function step(text) {
  process.stderr.write(`bundle: ${text}\n`);
}

function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
