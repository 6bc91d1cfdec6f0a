/**
 * The HTTP face: Streamable HTTP MCP at /mcp (stateless, so any instance can answer any request), the
 * images at /i/{id}.{ext} with immutable caching (signed and expiring when a link secret is set), /health, and
 * the dashboard for people at /ui (src/ui). Host and Origin are validated against DNS
 * rebinding by the MCP Hono app.
 * @module
 */
import { createMcpHonoApp, hostHeaderValidation, localhostHostValidation } from '@modelcontextprotocol/hono';
import {
  type AuthInfo,
  getOAuthProtectedResourceMetadataUrl,
  type McpHttpHandler,
  OAuthError,
  OAuthErrorCode,
  requireBearerAuth,
} from '@modelcontextprotocol/server';
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { httpAnswer } from '../core/errorPresentation.js';
import { InvalidTokenError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { currentRequestId } from '../core/requestContext.js';
import type { Studio } from '../core/studio.js';
import { bodyLimits } from './bodyLimits.js';
import { mcpCors, publicCors } from './cors.js';
import { imageRoute } from './imageRoute.js';
import { challengeResponse, jsonRpcParseErrors } from './jsonRpcErrors.js';
import { createOriginPolicy, originGate } from './origin.js';
import { metricsHandler, observeRequests } from './requestObserver.js';
import { tokenCheckUnavailable } from './tokenCheck.js';

export interface HttpAppOptions {
  mcp: McpHttpHandler;
  studio: () => Promise<Studio>;
  log: Logger;
  version: string;
  host: string;
  allowedHosts: string[];
  /** Browser origins allowed on /mcp besides the server's own and localhost ones (see http/origin). */
  allowedOrigins?: string[];
  publicUrl?: string;
  maxRequestBodyBytes: number;
  emulator: boolean;
  /** When set, `/i/` links must carry a valid `exp` and `sig` (see core/imageLinks). */
  linkSecret?: string;
  /** Sign-in (OAuth 2.1 for MCP clients); ready once the server knows its public URL. */
  auth?: Promise<HttpAuth>;
  /** The studio dashboard for people, answering /ui and /ui/* (src/ui, wired by the command line). */
  ui?: { fetch(request: Request): Response | Promise<Response> };
  /** Prometheus metrics at /metrics (absent: 404); with a token, only for `Authorization: Bearer <token>`. */
  metrics?: { scrape(): Promise<{ body: string; contentType: string }>; token?: string };
  /** Hide the text of unexpected errors (public binds); the log keeps it. */
  maskErrors?: boolean;
}

/** What the HTTP app needs of the sign-in server (src/auth, wired by the command line). */
export interface HttpAuth {
  mcpUrl: string;
  /** The OAuth endpoints, metadata and sign-in pages, on the paths in AUTH_PATHS. */
  fetch(request: Request): Response | Promise<Response>;
  /**
   * Throws an InvalidTokenError when the token is not valid for /mcp (expired, wrong audience, email no
   * longer allowed); anything else it throws means the check could not be made (answered 503).
   */
  verifyAccessToken(token: string): Promise<AuthInfo>;
  /** The scopes to name in the challenge. */
  scopes?: readonly string[];
  /** The person behind a dashboard session cookie (for /i/ links opened in their browser). */
  sessionUser?(request: Request): Promise<{ userId: string; isAdmin: boolean } | undefined>;
}

/** Where the sign-in server answers. */
export const AUTH_PATHS = ['/api/auth/*', '/.well-known/*', '/login', '/login-error', '/signed-in', '/consent'];

interface ParsedBodyContext {
  get(key: 'parsedBody'): unknown;
}

export function createHttpApp(options: HttpAppOptions) {
  const localBind = ['127.0.0.1', 'localhost', '::1'].includes(options.host);
  // Public binds name their hostnames; localhost binds get localhost-only validation automatically.
  const allowedHosts = options.allowedHosts.length
    ? [...options.allowedHosts, ...(localBind ? ['localhost', '127.0.0.1', '[::1]'] : [])]
    : undefined;
  // Origin is checked on every bind, not only loopback ones (2025-11-25 makes it a MUST).
  const origins = createOriginPolicy({
    allowedOrigins: options.allowedOrigins ?? [],
    allowedHosts: options.allowedHosts,
    publicUrl: options.publicUrl,
    localBind,
  });
  const app = createMcpHonoApp({
    host: options.host,
    allowedHosts,
    allowedOrigins: origins.hostnames,
    maxRequestBodySize: options.maxRequestBodyBytes,
  });

  // A body over the limit is refused by the MCP app's parser with a bare 413; say what to do instead.
  const outer = new Hono();
  outer.use('*', observeRequests());
  if (options.metrics) outer.get('/metrics', metricsHandler(options.metrics));
  outer.use('/mcp', mcpCors(origins), originGate(origins), jsonRpcParseErrors);
  for (const path of [
    '/.well-known/*',
    '/api/auth/oauth2/register',
    '/api/auth/oauth2/token',
    '/api/auth/oauth2/revoke',
  ])
    outer.use(path, publicCors());
  // Every other route gets a limit that fits it, enforced while the body streams in (bodyLimits.ts).
  outer.use('*', bodyLimits());
  outer.use('/mcp', async (c, next) => {
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > options.maxRequestBodyBytes) {
      const limitMb = Math.floor(options.maxRequestBodyBytes / (1024 * 1024));
      return c.json(
        {
          jsonrpc: '2.0',
          id: null,
          error: {
            code: -32600,
            message: `The request is ${(length / (1024 * 1024)).toFixed(1)} MB; this server accepts at most ${limitMb} MB per request (STUDIO_MAX_REQUEST_BODY_MB). Send a smaller file, or use upload_file with a path on a local (stdio) server.`,
          },
        },
        413,
      );
    }
    return next();
  });

  app.get('/health', (c) => c.json({ status: 'ok', version: options.version, emulator: options.emulator }));

  // Sign-in: every MCP request carries a bearer token, answered with a 401 challenge that points clients
  // to the protected-resource metadata when it does not.
  const bearer = options.auth?.then((auth) => {
    const settings = {
      resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(new URL(auth.mcpUrl)).toString(),
      expectedResource: new URL(auth.mcpUrl),
    };
    // The challenge names the scope, and no error when no token was sent (jsonRpcErrors.ts).
    return async (request: Request) => {
      // Only a token found invalid is `invalid_token` (401: the client signs in again). A check that could
      // not be made (the sign-in store is down) is not the token's fault: 503, retry (tokenCheckUnavailable).
      let failure: unknown;
      const check = requireBearerAuth({
        ...settings,
        verifier: {
          verifyAccessToken: (token) =>
            auth.verifyAccessToken(token).catch((error: unknown) => {
              if (error instanceof InvalidTokenError) throw new OAuthError(OAuthErrorCode.InvalidToken, error.message);
              failure = error;
              throw error;
            }),
        },
      });
      const checked = await check(request);
      if (failure !== undefined) throw tokenCheckUnavailable(failure);
      return checked instanceof Response ? challengeResponse(checked, request, auth.scopes ?? []) : checked;
    };
  });

  // The token is checked before the MCP app's parser reads the body (up to its 64 MB): nobody signed in,
  // nothing read.
  const checkedFirst = new WeakMap<Request, AuthInfo>();
  if (bearer)
    outer.use('/mcp', async (c, next) => {
      const checked = await (await bearer)(c.req.raw);
      if (checked instanceof Response) return checked;
      checkedFirst.set(c.req.raw, checked);
      return next();
    });

  // createMcpHonoApp's body parser stores the parsed JSON under 'parsedBody' (untyped in its Hono env).
  app.all('/mcp', async (c) => {
    let authInfo: AuthInfo | undefined;
    if (bearer) {
      const checked = checkedFirst.get(c.req.raw) ?? (await (await bearer)(c.req.raw));
      if (checked instanceof Response) return checked;
      authInfo = checked;
    }
    return options.mcp.fetch(c.req.raw, {
      parsedBody: (c as unknown as ParsedBodyContext).get('parsedBody'),
      ...(authInfo ? { authInfo } : {}),
    });
  });

  app.get('/i/:file', imageRoute({ studio: options.studio, linkSecret: options.linkSecret, viewers: options.auth }));

  for (const a of [app, outer]) {
    a.notFound((c) =>
      c.json(
        { error: 'not_found', message: `No route for ${c.req.method} ${c.req.path}.`, reference: currentRequestId() },
        404,
      ),
    );
    a.onError((error, c) => errorResponse(error, c, options.log, options.maskErrors === true));
  }
  // On the plain app: the MCP app's body parser would consume the bodies better-auth reads.
  const auth = options.auth;
  if (auth) for (const path of AUTH_PATHS) outer.all(path, async (c) => (await auth).fetch(c.req.raw));
  const ui = options.ui;
  if (ui) {
    // A person who opens the server's address in a browser lands on the dashboard.
    outer.get('/', (c) => c.redirect('/ui', 302));
    // The same DNS-rebinding protection as /mcp: with sign-in off, the dashboard shows the local gallery.
    const hosts = allowedHosts ? hostHeaderValidation(allowedHosts) : localBind ? localhostHostValidation() : undefined;
    for (const path of ['/ui', '/ui/*']) {
      if (hosts) outer.use(path, hosts);
      outer.all(path, (c) => ui.fetch(c.req.raw));
    }
  }
  outer.route('/', app);
  return outer;
}

function errorResponse(error: Error, c: Context, log: Logger, masked: boolean) {
  if (error instanceof HTTPException) return error.getResponse();
  const answer = httpAnswer(error, { masked });
  if (answer.internal) log.error({ err: error, path: c.req.path }, 'HTTP request failed');
  else if (answer.status >= 500)
    log.warn({ err: error.cause ?? error, code: answer.body.error, path: c.req.path }, 'HTTP request failed');
  return c.json(answer.body, answer.status as ContentfulStatusCode, answer.headers);
}
