/**
 * What an MCP client does once it has a client id: authorize (PKCE S256, resource) through the headless
 * browser, exchange the code, and call a tool with the access token. Used by the client-matrix and the
 * metadata-document specs, so each row is only its own request shapes.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  Client,
  type OAuthClientProvider,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { expect } from 'vitest';
import { browse } from './signInServer.js';

export async function authorizeExchangeAndCall(
  origin: string,
  client: { clientId: string; clientSecret?: string; redirectUri: string; scope: string },
): Promise<void> {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${origin}/api/auth/oauth2/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'matrix-state',
    scope: client.scope,
    resource: `${origin}/mcp`,
  }).toString();
  const back = await browse(authorize.toString(), client.redirectUri);
  expect(back.searchParams.get('error'), back.toString()).toBeNull();
  expect(back.searchParams.get('state')).toBe('matrix-state');
  const code = back.searchParams.get('code');
  expect(code, back.toString()).toBeTruthy();

  const token = await fetch(`${origin}/api/auth/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code as string,
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
      resource: `${origin}/mcp`,
      ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
    }).toString(),
  });
  const tokens = (await token.json()) as { access_token?: string };
  expect(token.status, JSON.stringify(tokens)).toBe(200);

  const called = await fetch(`${origin}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${tokens.access_token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'list_images', arguments: {} },
    }),
  });
  const text = await called.text();
  expect(called.status, text).toBe(200);
  expect(text).toContain('"result"');
  expect(text).not.toContain('"isError":true');
}

/**
 * What an SDK client (v2) does on its own: connect; on a 401 the provider has been through the browser and
 * holds the callback, so finish the authorization and connect again, now signed in.
 */
export async function connectSignedIn(
  mcpUrl: string,
  provider: OAuthClientProvider & { callback?: URLSearchParams },
  name = 'signed-in test',
): Promise<Client> {
  const connect = async () => {
    const client = new Client({ name, version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
    return client;
  };
  try {
    return await connect();
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    await new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }).finishAuth(
      provider.callback as URLSearchParams,
    );
    return connect();
  }
}
