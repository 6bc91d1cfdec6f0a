/**
 * CORS for browser clients (the Inspector's direct mode, web hosts): preflights answered on /mcp and the
 * well-known metadata. /mcp echoes only an allowed origin (the same policy as the Origin check); the
 * metadata is public and readable from anywhere. Credentials are never allowed: MCP clients send bearer
 * tokens in a header, not cookies, so `Access-Control-Allow-Credentials` is never paired with `*` (or sent).
 * @module
 */
import { cors } from 'hono/cors';
import type { OriginPolicy } from './origin.js';

const REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
  'Last-Event-ID',
];
const EXPOSED_HEADERS = ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'WWW-Authenticate'];

/** For /mcp: an allowed origin is echoed (with Vary: Origin), any other gets no CORS headers. */
export function mcpCors(policy: OriginPolicy) {
  return cors({
    origin: (origin) => (origin && policy.allows(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: REQUEST_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    credentials: false,
  });
}

/** For the public metadata (RFC 9728, RFC 8414) and the public-client OAuth endpoints. */
export function publicCors() {
  return cors({
    origin: '*',
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: REQUEST_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    credentials: false,
  });
}
