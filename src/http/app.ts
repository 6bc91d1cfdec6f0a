/**
 * The HTTP face: Streamable HTTP MCP at /mcp (stateless, so any instance can answer any request), the
 * images at /i/{id}.{ext} with immutable caching (signed and expiring when a link secret is set), and /health. Host and Origin are validated against DNS
 * rebinding by the MCP Hono app.
 * @module
 */
import { createMcpHonoApp } from '@modelcontextprotocol/hono';
import type { McpHttpHandler } from '@modelcontextprotocol/server';
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, NotFoundError } from '../core/errors.js';
import { checkImageLink } from '../core/imageLinks.js';
import type { Logger } from '../core/logger.js';
import type { Studio } from '../core/studio.js';

export interface HttpAppOptions {
  mcp: McpHttpHandler;
  studio: () => Promise<Studio>;
  log: Logger;
  version: string;
  host: string;
  allowedHosts: string[];
  maxRequestBodyBytes: number;
  emulator: boolean;
  /** When set, `/i/` links must carry a valid `exp` and `sig` (see core/imageLinks). */
  linkSecret?: string;
}

const LINK_REFUSALS = {
  missing: 'This image link is not signed. Ask the studio for a fresh link (image_info).',
  invalid: 'This image link has a wrong signature. Ask the studio for a fresh link (image_info).',
  expired: 'This image link has expired. Ask the studio for a fresh link (image_info).',
} as const;

const LOCAL_OWNER = { ownerId: 'local' };

interface ParsedBodyContext {
  get(key: 'parsedBody'): unknown;
}

export function createHttpApp(options: HttpAppOptions) {
  const localBind = ['127.0.0.1', 'localhost', '::1'].includes(options.host);
  const app = createMcpHonoApp({
    host: options.host,
    // Public binds name their hostnames; localhost binds get localhost-only validation automatically.
    allowedHosts: options.allowedHosts.length
      ? [...options.allowedHosts, ...(localBind ? ['localhost', '127.0.0.1', '[::1]'] : [])]
      : undefined,
    maxRequestBodySize: options.maxRequestBodyBytes,
  });

  // A body over the limit is refused by the MCP app's parser with a bare 413; say what to do instead.
  const outer = new Hono();
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

  // createMcpHonoApp's body parser stores the parsed JSON under 'parsedBody' (untyped in its Hono env).
  app.all('/mcp', (c) =>
    options.mcp.fetch(c.req.raw, { parsedBody: (c as unknown as ParsedBodyContext).get('parsedBody') }),
  );

  app.get('/i/:file', async (c) => {
    const match = /^(img_[A-Za-z0-9]+)\.([a-z0-9]+)$/.exec(c.req.param('file'));
    if (!match?.[1]) throw new NotFoundError('No such image.');
    if (options.linkSecret) {
      const check = checkImageLink(match[1], c.req.query('exp'), c.req.query('sig'), options.linkSecret);
      if (check !== 'ok') return c.json({ error: `link_${check}`, message: LINK_REFUSALS[check] }, 403);
    }
    const studio = await options.studio();
    const record = await studio.get(match[1], LOCAL_OWNER);
    const data = await studio.readImage(record);
    const etag = `"${record.id}"`;
    const headers = {
      'Content-Type': record.mimeType,
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(data), 200, headers);
  });

  for (const a of [app, outer]) {
    a.notFound((c) => c.json({ error: 'not_found', message: `No route for ${c.req.method} ${c.req.path}.` }, 404));
    a.onError((error, c) => errorResponse(error, c, options.log));
  }
  outer.route('/', app);
  return outer;
}

function errorResponse(error: Error, c: Context, log: Logger) {
  if (error instanceof HTTPException) return error.getResponse();
  if (error instanceof NotFoundError) return c.json({ error: 'not_found', message: error.message }, 404);
  if (error instanceof AppError) return c.json({ error: error.code, message: error.message }, 400);
  log.error({ err: error, path: c.req.path }, 'HTTP request failed');
  return c.json({ error: 'internal', message: 'Internal server error.' }, 500);
}
