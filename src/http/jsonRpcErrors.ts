/**
 * HTTP answers on /mcp in JSON-RPC, as the spec names them: a body that is not JSON is a 400 with a
 * -32700 Parse error (the MCP Hono app answers a bare `Invalid JSON` text), and a request without a token
 * gets a challenge without `error=` (RFC 6750 §3.1: no error code when no credentials were sent) and with
 * the `scope` to ask for (2025-06-18 and later: clients choose their scope from the challenge first).
 * @module
 */
import type { MiddlewareHandler } from 'hono';

export const PARSE_ERROR_MESSAGE =
  'Parse error: the request body is not valid JSON. Send one JSON-RPC message as UTF-8 JSON with Content-Type: application/json.';

/** Turns the MCP app's text `Invalid JSON` 400 into a JSON-RPC -32700 error. */
export const jsonRpcParseErrors: MiddlewareHandler = async (c, next) => {
  await next();
  const type = c.res.headers.get('content-type') ?? '';
  if (c.res.status !== 400 || !type.startsWith('text/plain')) return;
  if ((await c.res.clone().text()) !== 'Invalid JSON') return;
  c.res = new Response(
    JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: PARSE_ERROR_MESSAGE } }),
    {
      status: 400,
      headers: { 'content-type': 'application/json' },
    },
  );
};

/** The bearer check's 401/403, with the scope, and without an error code when the request had no token. */
export function challengeResponse(challenge: Response, request: Request, scopes: readonly string[]): Response {
  const header = challenge.headers.get('www-authenticate');
  if (!header || !scopes.length) return challenge;
  const scope = `scope="${scopes.join(' ')}"`;
  const headers = new Headers(challenge.headers);
  if (!request.headers.get('authorization')) {
    const metadata = /resource_metadata="[^"]*"/.exec(header)?.[0];
    headers.set('www-authenticate', ['Bearer', [metadata, scope].filter(Boolean).join(', ')].join(' '));
    headers.set('content-type', 'application/json');
    const body = {
      error: 'authorization_required',
      error_description:
        'This MCP server needs a sign-in: your MCP client starts it from resource_metadata in WWW-Authenticate.',
    };
    return new Response(JSON.stringify(body), { status: 401, headers });
  }
  if (!/\bscope="/.test(header)) headers.set('www-authenticate', `${header}, ${scope}`);
  return new Response(challenge.body, { status: challenge.status, headers });
}
