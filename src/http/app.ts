/**
 * The HTTP face: Streamable HTTP MCP at /mcp (stateless, so any instance can answer any request), the
 * images at /i/{id}.{ext} with immutable caching, and /health. Host and Origin are validated against DNS
 * rebinding by the MCP Hono app.
 * @module
 */
import { createMcpHonoApp } from '@modelcontextprotocol/hono';
import type { McpHttpHandler } from '@modelcontextprotocol/server';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, NotFoundError } from '../core/errors.js';
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
}

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

  app.get('/health', (c) => c.json({ status: 'ok', version: options.version, emulator: options.emulator }));

  // createMcpHonoApp's body parser stores the parsed JSON under 'parsedBody' (untyped in its Hono env).
  app.all('/mcp', (c) =>
    options.mcp.fetch(c.req.raw, { parsedBody: (c as unknown as ParsedBodyContext).get('parsedBody') }),
  );

  app.get('/i/:file', async (c) => {
    const match = /^(img_[A-Za-z0-9]+)\.([a-z0-9]+)$/.exec(c.req.param('file'));
    if (!match?.[1]) throw new NotFoundError('No such image.');
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

  app.notFound((c) => c.json({ error: 'not_found', message: `No route for ${c.req.method} ${c.req.path}.` }, 404));
  app.onError((error, c) => errorResponse(error, c, options.log));
  return app;
}

function errorResponse(error: Error, c: Context, log: Logger) {
  if (error instanceof HTTPException) return error.getResponse();
  if (error instanceof NotFoundError) return c.json({ error: 'not_found', message: error.message }, 404);
  if (error instanceof AppError) return c.json({ error: error.code, message: error.message }, 400);
  log.error({ err: error, path: c.req.path }, 'HTTP request failed');
  return c.json({ error: 'internal', message: 'Internal server error.' }, 500);
}
