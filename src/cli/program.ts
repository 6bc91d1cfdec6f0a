/**
 * The command line: `nanobanana-studio` (stdio MCP server), `serve` (Streamable HTTP), `emulator`
 * (the offline Gemini emulator on its own). The only module that wires everything together.
 * @module
 */
import { parseArgs } from 'node:util';
import { resolveAuthMode } from '../config/authMode.js';
import { configFromFlags, type FullConfig, flagOptions, resolveConfig } from '../config/config.js';
import type { AccessList } from '../core/accessList.js';
import { AppError } from '../core/errors.js';
import { linkSecretFromAuthSecret } from '../core/imageLinks.js';
import type { Logger } from '../core/logger.js';
import type { Runtime } from '../server/runtime.js';
import { fresh, startAccessList } from './accessListWiring.js';
import { createLogger } from './logger.js';
import { selfCommand } from './selfCommand.js';
import { packageVersion } from './version.js';

const HELP = `nanobanana-studio — generate and edit images with Google Gemini (Nano Banana) from any MCP client.

Usage:
  nanobanana-studio [options]            Serve MCP over stdio (what Claude Desktop, Cursor, … start).
  nanobanana-studio serve [options]      Serve MCP over Streamable HTTP at /mcp, the dashboard at /ui, images at /i/.
  nanobanana-studio emulator [options]   Run only the offline Gemini emulator (for GEMINI_BASE_URL).
  nanobanana-studio migrate              Apply database migrations (needed before serving on PostgreSQL).
  nanobanana-studio maintenance          Retention, expired Gemini copies, orphan files, vacuum (dry run; --apply).
  nanobanana-studio generate "prompt"    Make images from a terminal (also: edit, list, open, cost; each has --help).
  nanobanana-studio budget [set]         Per-user daily/monthly budgets (USD) and requests per minute (admins).
  nanobanana-studio token create|list|revoke   Personal access tokens for header-only clients (sign-in on).
  nanobanana-studio install <client>     Add this server to claude-desktop, claude-code, cursor, vscode, codex or gemini-cli.
  nanobanana-studio doctor               Check Node, the key, models, data folder, database, port and auth.

Options:
  --emulator                 Use the built-in Gemini emulator: offline, synthetic images, no key, no cost.
  --emulator-latency-ms N    Emulated Gemini latency per call (default 0).
  --data-dir DIR             Data folder (database and images). Env STUDIO_DATA_DIR.
  --allowed-roots A:B        Folders tools may read and write (path-delimiter separated), instead of the default:
                             your home folder, hidden folders and key files excepted. Env STUDIO_ALLOWED_ROOTS.
  --default-model ALIAS      Model used when a call names none (nb2, pro, nb2.1, lite, nb1). Env STUDIO_DEFAULT_MODEL.
  --image-responses MODE     preview (default), full or none. Env STUDIO_IMAGE_RESPONSES.
  --host HOST                HTTP bind address (default 127.0.0.1). Env STUDIO_HOST.
  --port N                   HTTP port (default 8766; 0 picks a free one). Env STUDIO_PORT.
  --public-url URL           Base URL for image links. Env STUDIO_PUBLIC_URL.
  --allowed-hosts H1,H2      Host names accepted besides localhost (DNS-rebinding protection). Env STUDIO_ALLOWED_HOSTS.
  --allowed-origins O1,O2    Browser origins allowed to call /mcp (CORS; any other Origin gets 403). Env STUDIO_ALLOWED_ORIGINS.
  --allow-unauthenticated    Serve without sign-in on a non-loopback address (STUDIO_AUTH=off), when something in
                             front of it already authenticates people.
  --config FILE              JSON config file (any option above, camelCase). Env STUDIO_CONFIG.
  --log-level LEVEL          fatal, error, warn, info (default), debug, trace, silent. Env STUDIO_LOG_LEVEL.
  -h, --help                 Show this help.
  -v, --version              Show the version.

Gemini: GEMINI_API_KEY (or GOOGLE_API_KEY), GEMINI_BASE_URL, STUDIO_VERTEX=1 with GOOGLE_CLOUD_PROJECT.
Logs go to stderr; on stdio, stdout carries only the protocol.`;

const OPTIONS = {
  ...flagOptions(),
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/**
 * Commands for people and set-up, each in its own module under ./commands/ exporting
 * `run(argv: string[]): Promise<number>` (the exit code, see exitCodes.ts). Loaded only when used.
 */
const PEOPLE_COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  migrate: () => import('./commands/migrate.js'),
  maintenance: () => import('./commands/maintenance.js'),
  generate: () => import('./commands/generate.js'),
  edit: () => import('./commands/edit.js'),
  list: () => import('./commands/list.js'),
  open: () => import('./commands/open.js'),
  cost: () => import('./commands/cost.js'),
  budget: () => import('./commands/budget.js'),
  token: () => import('./commands/token.js'),
  install: () => import('./commands/install.js'),
  doctor: () => import('./commands/doctor.js'),
};

export async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  const people = first === undefined ? undefined : PEOPLE_COMMANDS[first];
  if (people) {
    process.exitCode = await (await people()).run(rest);
    return;
  }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    fail(`${(error as Error).message}. Run nanobanana-studio --help for the options.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stderr.write(`${HELP}\n`);
  if (values.version) return void process.stderr.write(`${packageVersion()}\n`);
  const command = positionals[0] ?? 'stdio';
  if (positionals.length > 1 || !['stdio', 'serve', 'emulator'].includes(command)) {
    fail(
      `Unknown command "${positionals.join(' ')}". Commands: ${['serve', 'emulator', ...Object.keys(PEOPLE_COMMANDS)].join(', ')} (none: the stdio server). See --help.`,
    );
  }

  let config: FullConfig;
  try {
    config = resolveConfig({ flags: configFromFlags(values), configFile: values.config });
  } catch (error) {
    fail(error instanceof AppError ? error.message : String(error));
  }
  const log = createLogger(config.logLevel);
  try {
    if (command === 'emulator') await runEmulator(config, log);
    else if (command === 'serve') await runHttp(config, log);
    else await runStdio(config, log);
  } catch (error) {
    const hint = listenHint(error, config);
    if (hint !== undefined) fail(hint);
    log.error({ err: error }, 'start-up failed');
    fail(error instanceof AppError ? error.message : `Start-up failed: ${(error as Error).message}`);
  }
}

async function runStdio(config: FullConfig, log: Logger): Promise<void> {
  const [{ serveStdio }, { createRuntime }, { createMcpServerFactory }] = await Promise.all([
    import('@modelcontextprotocol/server/stdio'),
    import('./createRuntime.js'),
    import('../server/mcpServerFactory.js'),
  ]);
  const observability = await (await import('./operationsWiring.js')).startStdioTracing();
  const runtime = createRuntime(config, log);
  // A configuration problem found while storage opens (an unmigrated PostgreSQL database) stops the server.
  runtime.studio().catch((error) => {
    if (error instanceof AppError && error.code === 'config') fail(error.message);
  });
  const handle = serveStdio(createMcpServerFactory(runtime, 'stdio'), {
    transport: await (await import('./stdioOut.js')).stdioTransport(),
    onerror: (err) => log.warn({ err }, 'stdio transport error'),
  });
  log.info({ dataDir: config.dataDir }, 'nanobanana-studio serving MCP on stdio');
  onShutdown(log, config.shutdownGraceSeconds, async () => {
    await handle.close();
    await runtime.close();
    await observability?.close();
  });
  // The client closing our stdin ends the session.
  process.stdin.once('end', () => process.emit('SIGTERM'));
}

async function runHttp(config: FullConfig, log: Logger): Promise<void> {
  const [{ createRuntime }, { createServeApp, startDashboard }, { listen }, { startServeOperations }] =
    await Promise.all([
      import('./createRuntime.js'),
      import('./serveApp.js'),
      import('../http/serve.js'),
      import('./operationsWiring.js'),
    ]);
  let signIn = false;
  try {
    signIn = resolveAuthMode(config);
  } catch (error) {
    fail((error as Error).message);
  }
  const { operations, observability } = await startServeOperations(config).catch((error: Error) => fail(error.message));
  // With sign-in on, /i/ links are always signed: they must work for their owner and for no one else.
  if (signIn && !config.linkSecret && config.authSecret)
    config = { ...config, linkSecret: linkSecretFromAuthSecret(config.authSecret) };
  const runtime = createRuntime(config, log, { maskErrors: operations.maskErrors });
  runtime.operations = operations;
  // Over HTTP nothing is gained by answering before storage is ready; a storage problem stops the start.
  await runtime.studio();
  // The sign-in server needs the public URL (known once listening, with --port 0) as its issuer.
  let listeningAt: (url: string) => void = () => {};
  const publicUrl = new Promise<string>((resolve) => {
    listeningAt = resolve;
  });
  // The allow-list lives in the database (seeded from the environment) and is re-read before every request
  // that may sign someone in, so an admin's change holds on every instance from the next request.
  const access = signIn ? await startAccessList(config, runtime) : undefined;
  const auth = signIn
    ? publicUrl.then((origin) => startSignIn(config, runtime, origin, log, access as AccessList))
    : undefined;
  const ui = await startDashboard(config, runtime, auth, log, access);
  // The conformance suite's fixtures, for npm run conformance only (scripts/conformance.mjs).
  const fixtures = process.env.STUDIO_CONFORMANCE_FIXTURES === 'true';
  if (fixtures) log.warn('STUDIO_CONFORMANCE_FIXTURES=true: the conformance test fixtures are registered (test only).');
  const { app, mcp } = await createServeApp(config, runtime, {
    log,
    auth,
    ui,
    maskErrors: operations.maskErrors,
    conformanceFixtures: fixtures,
    ...(operations.metricsEnabled
      ? { metrics: { scrape: observability.metrics.scrape, token: operations.metricsToken } }
      : {}),
  });
  const server = await listen(app, config.host, config.port);
  runtime.publicUrl = (config.publicUrl ?? server.url).replace(/\/+$/, '');
  listeningAt(runtime.publicUrl);
  if (auth) {
    try {
      await auth;
    } catch (error) {
      fail(`Sign-in could not start: ${(error as Error).message}`);
    }
  }
  process.stderr.write(serveBanner(server.url, runtime.publicUrl, Boolean(ui)));
  const stopMaintenance = (await import('./maintenanceRun.js')).scheduleMaintenance(
    runtime,
    operations,
    log.child({ area: 'maintenance' }),
  );
  onShutdown(log, config.shutdownGraceSeconds, async () => {
    stopMaintenance();
    // No new connections; calls in progress keep theirs while their pipelines finish (or are handed back).
    server.stopAccepting();
    await runtime.drain();
    await server.close();
    await mcp.close();
    await runtime.close();
    await observability.close();
  });
}

async function runEmulator(config: FullConfig, log: Logger): Promise<void> {
  const { startEmulator } = await import('../emulator/index.js');
  const emulator = await startEmulator({
    host: config.host,
    port: config.port === 8766 ? 8765 : config.port,
    latencyMs: config.emulatorLatencyMs,
    log: (line: string) => log.debug(line),
  });
  process.stderr.write(`Gemini emulator listening on ${emulator.url}\nUse it with GEMINI_BASE_URL=${emulator.url}\n`);
  onShutdown(log, 0, () => emulator.close());
}

let shuttingDown = false;
function onShutdown(log: Logger, graceSeconds: number, close: () => Promise<void>): void {
  const stop = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal, graceSeconds }, 'shutting down');
    // A hung close must not keep the process alive forever (the grace period, then 15 s to close).
    setTimeout(() => process.exit(0), (graceSeconds + 15) * 1000).unref();
    close()
      .catch((err) => log.warn({ err }, 'shutdown was not clean'))
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function startSignIn(config: FullConfig, runtime: Runtime, origin: string, log: Logger, access: AccessList) {
  const [{ createAuthServer }, { withAdvisoryLock }] = await Promise.all([
    import('../auth/authServer.js'),
    import('../store/index.js'),
  ]);
  const database = await runtime.database();
  // Instances starting together on a fresh PostgreSQL database take turns creating the sign-in tables.
  const server = await withAdvisoryLock(database.db, 'nanobanana-studio:auth-migrations', async () =>
    createAuthServer({
      database,
      origin,
      oidc: {
        issuer: config.oidcIssuer,
        clientId: config.oidcClientId as string,
        clientSecret: config.oidcClientSecret as string,
      },
      secret: config.authSecret as string,
      allowedEmails: () => access.allowed(),
      adminEmails: () => access.admins(),
      accessTokenSeconds: config.accessTokenSeconds,
      allowPrivateClientMetadataHosts: config.clientMetadataPrivateHosts,
      personalTokens: (await runtime.studio()).accessTokens,
      log: log.child({ area: 'auth' }),
    }),
  );
  const signIn = server.fetch.bind(server);
  const verify = server.verifyAccessToken.bind(server);
  return Object.assign(server, { fetch: fresh(access, signIn), verifyAccessToken: fresh(access, verify) });
}

/** The studio dashboard at /ui, signed in through the same provider (or the local user with sign-in off). */
/** What `serve` prints once listening: where the MCP endpoint and the dashboard are, and how to add it to a client. */
function serveBanner(listening: string, publicUrl: string, dashboard: boolean): string {
  const lines = [`Listening on ${listening}/mcp`];
  if (dashboard) lines.push(`Dashboard: ${publicUrl}/ui (open it in a browser)`);
  lines.push(
    'Add it to your MCP client (claude-code, cursor, vscode, codex, gemini-cli or claude-desktop):',
    `  ${selfCommand()} install claude-code --url ${publicUrl}/mcp`,
  );
  return `${lines.join('\n')}\n`;
}

/** A port that is taken or not ours to bind: one line that says what to do, not a stack trace. */
function listenHint(error: unknown, config: FullConfig): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') {
    return `Port ${config.port} on ${config.host} is already in use (another nanobanana-studio serve, or another program). Stop it, or choose another port: --port ${config.port + 1} (or --port 0 for any free port; env STUDIO_PORT).`;
  }
  if (code === 'EACCES') return `Not allowed to listen on ${where}. Use a port above 1024, e.g. --port 8766.`;
  if (code === 'EADDRNOTAVAIL') {
    return `This machine has no address ${config.host} to listen on. Use --host 127.0.0.1 (this machine only) or --host 0.0.0.0 (every interface).`;
  }
  return undefined;
}

function fail(message: string): never {
  process.stderr.write(`nanobanana-studio: ${message}\n`);
  process.exit(2);
}
