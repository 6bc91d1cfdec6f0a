/**
 * The HTTP app `serve` listens with: the MCP handler, the dashboard and the routes around them
 * (http/app.ts), wired from the configuration and the runtime. `serve` (program.ts) adds sign-in,
 * operations and the listening socket; tests build the same app in process (tests/helpers/inProcessApp.ts).
 * @module
 */
import type { AuthServer } from '../auth/authServer.js';
import type { FullConfig } from '../config/config.js';
import type { AccessList } from '../core/accessList.js';
import type { Logger } from '../core/logger.js';
import type { HttpAppOptions } from '../http/app.js';
import type { Runtime } from '../server/runtime.js';
import { fresh } from './accessListWiring.js';

export interface ServeAppParts extends Pick<HttpAppOptions, 'auth' | 'ui' | 'maskErrors' | 'metrics'> {
  log: Logger;
  /** The conformance suite's fixtures (npm run conformance only). */
  conformanceFixtures?: boolean;
}

export async function createServeApp(config: FullConfig, runtime: Runtime, parts: ServeAppParts) {
  const [{ createMcpHandler }, { createMcpServerFactory }, { createHttpApp }] = await Promise.all([
    import('@modelcontextprotocol/server'),
    import('../server/mcpServerFactory.js'),
    import('../http/app.js'),
  ]);
  const maxBody = config.maxRequestBodyMb * 1024 * 1024;
  const factory = createMcpServerFactory(runtime, 'http', { conformanceFixtures: parts.conformanceFixtures === true });
  const mcp = createMcpHandler(factory, {
    maxRequestBodySize: maxBody,
    onerror: (err) => parts.log.warn({ err }, 'MCP HTTP error'),
  });
  const app = createHttpApp({
    mcp,
    studio: runtime.studio,
    log: parts.log,
    version: runtime.version,
    host: config.host,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
    publicUrl: config.publicUrl,
    maxRequestBodyBytes: maxBody,
    emulator: config.emulator,
    linkSecret: config.linkSecret,
    auth: parts.auth,
    ui: parts.ui,
    maskErrors: parts.maskErrors,
    ...(parts.metrics ? { metrics: parts.metrics } : {}),
  });
  return { app, mcp };
}

/** The dashboard at /ui, on the runtime's studio and pipelines; with an allow-list, re-read before each request. */
export async function startDashboard(
  config: FullConfig,
  runtime: Runtime,
  signIn: Promise<AuthServer> | undefined,
  log: Logger,
  access: AccessList | undefined,
) {
  const [{ createDashboard }, { randomBytes }] = await Promise.all([import('../ui/routes.js'), import('node:crypto')]);
  const store = await import('../store/index.js');
  const dashboard = createDashboard({
    ...(access ? { access } : {}),
    storage: async () => store.storageUse((await runtime.database()).db as Parameters<typeof store.storageUse>[0]),
    studio: runtime.studio,
    pipelines: runtime.pipelines,
    autoStyle: config.autoStyle,
    signIn,
    secret: config.authSecret ?? randomBytes(32).toString('base64url'),
    publicUrl: () => runtime.publicUrl,
    allowedEmails: config.allowedEmails,
    adminEmails: config.adminEmails,
    log: log.child({ area: 'ui' }),
  });
  return access ? { fetch: fresh(access, dashboard.fetch) } : dashboard;
}
