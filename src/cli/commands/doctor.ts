/**
 * `nanobanana-studio doctor`: checks what a working set-up needs (Node, the key and what it can reach, the
 * data folder, the database, the HTTP port, auth) and says how to fix each failure. Exit 0 when nothing
 * failed (warnings allowed), 1 otherwise; `--json` for scripts.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, type FullConfig, resolveConfig } from '../../config/config.js';
import { AppError } from '../../core/errors.js';
import { createModelRegistry } from '../../core/models.js';
import { redactUrl } from '../../core/redactUrl.js';
import { EXIT } from '../exitCodes.js';
import { MIN_NODE, nodeIsSupported, RECOMMENDED_NODE } from '../nodeVersion.js';
import { packageVersion } from '../version.js';
import { modelsCheck } from './modelStatus.js';

const HELP = `Usage: nanobanana-studio doctor [options]

Checks the set-up and says how to fix what fails: Node.js, the Gemini API key (present, and valid by one
free call listing the models), which Nano Banana models the key can use, the data folder, the database,
the HTTP port and auth. Exit 0 when nothing failed, 1 otherwise.

Options:
  --emulator           Check against the built-in Gemini emulator (no key needed).
  --data-dir DIR       Data folder to check. Env STUDIO_DATA_DIR.
  --host HOST          HTTP bind address to check (default 127.0.0.1). Env STUDIO_HOST.
  --port N             HTTP port to check (default 8766). Env STUDIO_PORT.
  --config FILE        JSON config file. Env STUDIO_CONFIG.
  --timeout SECONDS    How long the key check waits for Gemini (default 10).
  --json               One JSON document on stdout.
  -h, --help           Show this help.`;

const OPTIONS = {
  emulator: { type: 'boolean' },
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  config: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  id: string;
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };
const KEY_URL = 'https://aistudio.google.com/apikey';

export async function run(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true }));
  } catch (error) {
    process.stderr.write(
      `nanobanana-studio doctor: ${(error as Error).message}. See nanobanana-studio doctor --help.\n`,
    );
    return EXIT.usage;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const timeoutSeconds = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    process.stderr.write(`nanobanana-studio doctor: --timeout expects a number of seconds, got "${values.timeout}".\n`);
    return EXIT.usage;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isFinite(port)) {
      process.stderr.write(`nanobanana-studio doctor: --port expects a number, got "${values.port}".\n`);
      return EXIT.usage;
    }
  }
  const flags: Config = {
    ...(values.emulator ? { emulator: true } : {}),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
  };

  const checks = await runChecks({ flags, configFile: values.config, timeoutMs: timeoutSeconds * 1000 });
  const ok = !checks.some((c) => c.status === 'fail');
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok, version: packageVersion(), checks }, null, 2)}\n`);
  } else {
    process.stdout.write(render(checks, ok));
  }
  return ok ? EXIT.ok : EXIT.internal;
}

function render(checks: Check[], ok: boolean): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = [`nanobanana-studio ${packageVersion()} doctor`, ''];
  for (const check of checks) {
    lines.push(`${MARK[check.status]} ${check.name.padEnd(width)}  ${check.detail}`);
    if (check.fix !== undefined && check.status !== 'ok') lines.push(`  ${' '.repeat(width)}  fix: ${check.fix}`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  lines.push('');
  lines.push(
    ok
      ? `All checks passed${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.`
      : `${failed} check${failed === 1 ? '' : 's'} failed.`,
  );
  return `${lines.join('\n')}\n`;
}

interface RunOptions {
  flags: Config;
  configFile: string | undefined;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

export async function runChecks(options: RunOptions): Promise<Check[]> {
  const env = options.env ?? process.env;
  const checks: Check[] = [checkNode(process.versions.node)];
  let config: FullConfig;
  try {
    config = resolveConfig({ flags: options.flags, env, configFile: options.configFile });
  } catch (error) {
    checks.push({
      id: 'settings',
      name: 'Settings',
      status: 'fail',
      detail: error instanceof AppError ? error.message : String(error),
      fix: 'Correct the setting named above (flag, environment variable or config file); the other checks need valid settings.',
    });
    return checks;
  }
  const configFile = options.configFile ?? env.STUDIO_CONFIG;
  checks.push({
    id: 'settings',
    name: 'Settings',
    status: 'ok',
    detail: `valid${configFile ? ` (config file ${configFile})` : ''}${config.emulator ? '; emulator mode (offline, synthetic images)' : ''}`,
  });

  const key = checkKeyPresent(config, env);
  checks.push(key);
  checks.push(...(await checkKeyAndModels(config, key.status !== 'fail', options.timeoutMs)));
  const data = await checkDataFolder(config.dataDir);
  checks.push(data);
  checks.push(await checkDatabase(config, data.status === 'fail', options.timeoutMs));
  checks.push(await checkPort(config.host, config.port));
  checks.push(checkAuth(config.host));
  return checks;
}

export function checkNode(version: string): Check {
  const [major = 0] = version.split('.').map(Number);
  const base = { id: 'node', name: 'Node.js' };
  if (!nodeIsSupported(version)) {
    return {
      ...base,
      status: 'fail',
      detail: `v${version} is too old (needs ${MIN_NODE.join('.')} or later)`,
      fix: `Install Node.js ${RECOMMENDED_NODE} LTS from https://nodejs.org (or \`nvm install ${RECOMMENDED_NODE}\`), then run this again.`,
    };
  }
  if (major < RECOMMENDED_NODE) {
    return {
      ...base,
      status: 'warn',
      detail: `v${version} works; Node.js 24 LTS is recommended`,
      fix: 'Install Node.js 24 LTS when convenient (https://nodejs.org).',
    };
  }
  return { ...base, status: 'ok', detail: `v${version}` };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

function checkKeyPresent(config: FullConfig, env: NodeJS.ProcessEnv): Check {
  const base = { id: 'api-key', name: 'API key' };
  if (config.emulator) return { ...base, status: 'ok', detail: 'not needed in emulator mode' };
  if (config.vertex !== undefined) {
    if (config.vertex.project === undefined && config.apiKey === undefined) {
      return {
        ...base,
        status: 'fail',
        detail: 'Vertex AI is on (STUDIO_VERTEX) but there is no project and no key',
        fix: 'Set GOOGLE_CLOUD_PROJECT (and sign in with `gcloud auth application-default login`), or set GEMINI_API_KEY for Vertex express mode.',
      };
    }
    const how =
      config.vertex.project === undefined ? 'express mode with an API key' : `project ${config.vertex.project}`;
    return { ...base, status: 'ok', detail: `Vertex AI, ${how}, location ${config.vertex.location ?? 'global'}` };
  }
  const gemini = nonEmpty(env.GEMINI_API_KEY);
  const google = nonEmpty(env.GOOGLE_API_KEY);
  if (gemini !== undefined && google !== undefined && gemini !== google) {
    return {
      ...base,
      status: 'warn',
      detail: 'GEMINI_API_KEY and GOOGLE_API_KEY are both set and differ; GEMINI_API_KEY is used',
      fix: 'Unset GOOGLE_API_KEY (or make both the same key) so that every tool uses the same key.',
    };
  }
  if (gemini !== undefined) return { ...base, status: 'ok', detail: 'GEMINI_API_KEY is set' };
  if (google !== undefined) return { ...base, status: 'ok', detail: 'GOOGLE_API_KEY is set' };
  if (config.apiKey !== undefined) return { ...base, status: 'ok', detail: 'apiKey is set in the config file' };
  return {
    ...base,
    status: 'fail',
    detail: 'no Gemini API key: neither GEMINI_API_KEY nor GOOGLE_API_KEY is set',
    fix: `Get a key at ${KEY_URL} and set GEMINI_API_KEY (in your shell, or in the client with \`nanobanana-studio install <client> --api-key …\`); or use --emulator to try it offline.`,
  };
}

/** One `GET /models`: proves the key works and tells which image models it can use. */
async function checkKeyAndModels(config: FullConfig, haveKey: boolean, timeoutMs: number): Promise<Check[]> {
  const keyBase = { id: 'key-valid', name: 'Key works' };
  const modelsBase = { id: 'models', name: 'Models' };
  if (!haveKey) {
    return [
      { ...keyBase, status: 'skip', detail: 'skipped: no key' },
      { ...modelsBase, status: 'skip', detail: 'skipped: no key' },
    ];
  }
  const [{ createGeminiClient }, { EMULATOR_API_KEY }] = await Promise.all([
    import('../../gemini/index.js'),
    import('../createRuntime.js'),
  ]);
  let emulator: { url: string; close(): Promise<void> } | undefined;
  let models: Array<{ id: string }>;
  const started = Date.now();
  const where = config.emulator
    ? 'the built-in emulator'
    : config.geminiBaseUrl
      ? `${config.geminiBaseUrl} (GEMINI_BASE_URL)`
      : config.vertex
        ? 'Vertex AI'
        : 'Gemini';
  try {
    if (config.emulator) {
      const { startEmulator } = await import('../../emulator/index.js');
      emulator = await startEmulator();
    }
    const client = createGeminiClient({
      apiKey: emulator ? EMULATOR_API_KEY : config.apiKey,
      baseUrl: emulator?.url ?? config.geminiBaseUrl,
      vertex: emulator ? undefined : config.vertex,
      timeoutMs,
      maxAttempts: 1,
    });
    models = await client.listModels();
  } catch (error) {
    const message = error instanceof AppError ? error.message : (error as Error).message;
    const code = error instanceof AppError ? error.code : undefined;
    const fix =
      code === 'auth'
        ? `Set a valid key in GEMINI_API_KEY (create one at ${KEY_URL}); check that it has no extra spaces or quotes.`
        : code === 'quota'
          ? 'Wait a minute and run this again; check the project’s limits in Google AI Studio.'
          : code === 'timeout' || code === 'upstream'
            ? 'Check the network connection, any proxy, and GEMINI_BASE_URL (unset it to use Google); then run this again.'
            : 'Check GEMINI_BASE_URL and the network, then run this again.';
    return [
      { ...keyBase, status: 'fail', detail: `${where} refused or did not answer: ${message}`, fix },
      { ...modelsBase, status: 'skip', detail: 'skipped: the key check failed' },
    ];
  } finally {
    await emulator?.close();
  }
  const keyCheck: Check = {
    ...keyBase,
    status: 'ok',
    detail: `${where} accepted the key and listed ${models.length} models (${Date.now() - started} ms)`,
  };

  const registry = createModelRegistry(config.models, config.defaultModel);
  return [
    keyCheck,
    modelsCheck(
      registry,
      models.map((m) => m.id),
      config.vertex !== undefined,
    ),
  ];
}

async function checkDataFolder(dir: string): Promise<Check> {
  const base = { id: 'data-folder', name: 'Data folder' };
  const fix = `Make ${dir} a folder you can write to (check its owner and permissions), or choose another with --data-dir or STUDIO_DATA_DIR.`;
  let created = false;
  try {
    const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info !== undefined && !info.isDirectory()) {
      return { ...base, status: 'fail', detail: `${dir} exists but is not a folder`, fix };
    }
    if (info === undefined) {
      await mkdir(dir, { recursive: true });
      created = true;
    }
    const probe = path.join(dir, `.doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(probe, 'nanobanana-studio doctor\n', { flag: 'wx' });
    await unlink(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ...base, status: 'fail', detail: `${dir} is not writable (${code ?? (error as Error).message})`, fix };
  }
  return { ...base, status: 'ok', detail: `${dir} is writable${created ? ' (created now)' : ''}` };
}

async function checkDatabase(config: FullConfig, dataFolderFailed: boolean, timeoutMs: number): Promise<Check> {
  const base = { id: 'database', name: 'Database' };
  const store = await import('../../store/index.js');
  const options = store.databaseOptionsFor(config);
  const label = options.kind === 'postgres' ? `PostgreSQL ${redactUrl(options.url)}` : options.path;
  if (options.kind === 'sqlite') {
    if (dataFolderFailed) return { ...base, status: 'skip', detail: 'skipped: the data folder is not usable' };
    if (!existsSync(options.path)) {
      return {
        ...base,
        status: 'ok',
        detail: `${label} not created yet; the server creates and migrates it at its first start`,
      };
    }
  }
  const migrateFix =
    options.kind === 'postgres'
      ? 'Run `nanobanana-studio migrate` with the same STUDIO_DATABASE_URL.'
      : 'Start the server once (it migrates SQLite at start), or run `nanobanana-studio migrate`.';
  let database: Awaited<ReturnType<typeof store.openDatabase>> | undefined;
  try {
    const opening = store.openDatabase(options, { migrate: false });
    database = await withTimeout(opening, timeoutMs, `no answer within ${timeoutMs / 1000} s`).catch(async (error) => {
      // A connection that arrives after the timeout is closed rather than leaked.
      void opening.then((db) => db.close()).catch(() => undefined);
      throw error;
    });
    const pending = await store.pendingMigrations(database.db);
    if (pending.length > 0) {
      return { ...base, status: 'fail', detail: `${label}: pending migrations ${pending.join(', ')}`, fix: migrateFix };
    }
    return { ...base, status: 'ok', detail: `${label} is up to date` };
  } catch (error) {
    return {
      ...base,
      status: 'fail',
      detail: `${label} cannot be opened: ${redactText((error as Error).message)}`,
      fix:
        options.kind === 'postgres'
          ? 'Check STUDIO_DATABASE_URL (host, port, user, password, database) and that PostgreSQL is running.'
          : 'Check that the file is a nanobanana-studio database and readable; restore it from a backup if it is damaged.',
    };
  } finally {
    await database?.close().catch(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function redactText(text: string): string {
  return text.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@');
}

async function checkPort(host: string, port: number): Promise<Check> {
  const base = { id: 'http-port', name: 'HTTP port' };
  if (port === 0) return { ...base, status: 'ok', detail: 'port 0: serve picks a free port at start' };
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
  if (error === undefined) return { ...base, status: 'ok', detail: `${where} is free for \`nanobanana-studio serve\`` };
  const portFix = `Stop the program using it, or choose another port with --port or STUDIO_PORT.`;
  if (error.code === 'EADDRINUSE') {
    const ours = await probeStudio(host, port);
    if (ours !== undefined) {
      return {
        ...base,
        status: 'warn',
        detail: `${where} is in use by a running nanobanana-studio ${ours}`,
        fix: `Fine if you meant to keep it running; otherwise stop it first. ${portFix}`,
      };
    }
    return { ...base, status: 'fail', detail: `${where} is already in use by another program`, fix: portFix };
  }
  if (error.code === 'EACCES') {
    return {
      ...base,
      status: 'fail',
      detail: `${where}: not allowed to listen (ports below 1024 need privileges)`,
      fix: 'Use a port above 1023 (the default is 8766) with --port or STUDIO_PORT.',
    };
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return {
      ...base,
      status: 'fail',
      detail: `${host} is not an address of this machine (${error.code})`,
      fix: 'Use 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces) with --host or STUDIO_HOST.',
    };
  }
  return { ...base, status: 'fail', detail: `${where}: ${error.code ?? error.message}`, fix: portFix };
}

/** The version of a nanobanana-studio answering /health on that port, if that is what is there. */
async function probeStudio(host: string, port: number): Promise<string | undefined> {
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  try {
    const res = await fetch(`http://${target}:${port}/health`, { signal: AbortSignal.timeout(1500) });
    const body = (await res.json()) as { status?: unknown; version?: unknown };
    return body.status === 'ok' && typeof body.version === 'string' ? body.version : undefined;
  } catch {
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function checkAuth(host: string): Check {
  const base = { id: 'auth', name: 'Auth' };
  if (isLoopback(host)) {
    return {
      ...base,
      status: 'ok',
      detail: `not configured; fine on loopback (${host}), where only this machine can connect`,
    };
  }
  return {
    ...base,
    status: 'warn',
    detail: `not configured, and \`serve\` would listen on ${host}: anyone who reaches it can generate images on your key`,
    fix: 'Keep the default host 127.0.0.1, or put the server behind a reverse proxy that authenticates (this version has no built-in auth).',
  };
}
