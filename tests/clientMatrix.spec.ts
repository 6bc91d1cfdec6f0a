/**
 * The client matrix: the registration and authorization requests real MCP clients send, replayed byte for
 * byte (shapes taken from each client's public source or from issues that quote its requests; the source is
 * cited on each row), through the whole sign-in: dynamic registration, authorization through the test
 * OpenID provider (standing in for Google), the code exchange, and a tools/call with the access token.
 * A refusal anywhere fails the row. Then two real SDK clients sign in by themselves: the v1 TypeScript SDK
 * (`@modelcontextprotocol/sdk` 1.x, no `application_type`, like every client built on it) and the v2 one.
 */

import path from 'node:path';
import { UnauthorizedError as V1UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeExchangeAndCall, connectSignedIn } from './helpers/clientFlow.js';
import { callThroughMcpRemote } from './helpers/mcpRemote.js';
import type { TestUser } from './helpers/oidcProvider.js';
import { browse, browserRequest, startSignedInStudio, TestOAuthProvider } from './helpers/signInServer.js';

interface Row {
  client: string;
  /** Where the shape comes from. */
  source: string;
  /** The registration body, exactly as the client posts it (SCOPE is replaced by the advertised scope). */
  registration: Record<string, unknown>;
  /** The redirect_uri the client then authorizes with (a loopback one on its own port). */
  redirectUri: string;
  /** Headers the client's registration request carries (a browser's Origin). */
  headers?: Record<string, string>;
}

const SCOPE = '<advertised scope>';

const ROWS: Row[] = [
  {
    client: 'Claude Desktop via mcp-remote, a v1-SDK release (still pinned in many configs)',
    source:
      'geelen/mcp-remote src/lib/node-oauth-client-provider.ts@00cc07f (clientMetadata: no application_type; the v1 SDK adds none), redirect http://localhost:<port>/oauth/callback',
    registration: {
      redirect_uris: ['http://localhost:14821/oauth/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'MCP CLI Proxy',
      client_uri: 'https://github.com/modelcontextprotocol/mcp-cli',
      software_id: '2e6dc280-f3c3-4e01-99a7-8181dbd1d23d',
      software_version: '0.1.29',
      scope: SCOPE,
    },
    redirectUri: 'http://localhost:14821/oauth/callback',
  },
  {
    client: 'Claude Desktop via mcp-remote 0.15 (v2 SDK: application_type derived from the redirects)',
    source:
      'node_modules/mcp-remote/dist (0.15.1): clientMetadata as above plus application_type from deriveApplicationType(redirect_uris)',
    registration: {
      redirect_uris: ['http://localhost:14821/oauth/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'MCP CLI Proxy',
      client_uri: 'https://github.com/modelcontextprotocol/mcp-cli',
      software_id: '2e6dc280-f3c3-4e01-99a7-8181dbd1d23d',
      software_version: '0.15.1',
      scope: SCOPE,
      application_type: 'native',
    },
    redirectUri: 'http://localhost:14821/oauth/callback',
  },
  {
    client: 'Claude Code (CLI)',
    source:
      'code.claude.com/docs/en/mcp (loopback http://localhost:PORT/callback, random port unless --callback-port), quoted in labsai/EDDI#805; application_type native per issue 12',
    registration: {
      client_name: 'Claude Code (nanobanana-studio)',
      redirect_uris: ['http://localhost:53117/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    },
    redirectUri: 'http://localhost:53117/callback',
  },
  {
    client: 'Claude Code desktop app (claude:// callback)',
    source: 'RevenueCat/ai-toolkit#58 (the desktop app uses claude://claude.ai/mcp-auth-callback/sdk)',
    registration: {
      client_name: 'Claude Code',
      redirect_uris: ['claude://claude.ai/mcp-auth-callback/sdk'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    redirectUri: 'claude://claude.ai/mcp-auth-callback/sdk',
  },
  {
    client: 'Cursor',
    source:
      'erp-mafia/accounted#2225 and soflyy/agent-connector-for-wp#111 (one registration, three redirect URIs), cursor.com/docs/mcp (cursor:// callback)',
    registration: {
      client_name: 'Cursor',
      redirect_uris: [
        'cursor://anysphere.cursor-mcp/oauth/callback',
        'https://www.cursor.com/agents/mcp/oauth/callback',
        'http://localhost:8787/callback',
      ],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    },
    redirectUri: 'cursor://anysphere.cursor-mcp/oauth/callback',
  },
  {
    client: 'VS Code (registration; loopback on any port)',
    source:
      'microsoft/vscode src/vs/base/common/oauth.ts fetchDynamicRegistration (grant_types filtered by grant_types_supported; DEFAULT_AUTH_FLOW_PORT 33418)',
    registration: {
      client_name: 'Visual Studio Code',
      client_uri: 'https://code.visualstudio.com',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [
        'https://insiders.vscode.dev/redirect',
        'https://vscode.dev/redirect',
        'http://127.0.0.1/',
        'http://127.0.0.1:33418/',
      ],
      scope: SCOPE,
      token_endpoint_auth_method: 'none',
    },
    redirectUri: 'http://127.0.0.1:51873/',
  },
  {
    client: 'VS Code, an older release (device_code grant asked for unconditionally)',
    source:
      'microsoft/vscode src/vs/base/common/oauth.ts, earlier fetchDynamicRegistration(registrationEndpoint, clientName)',
    registration: {
      client_name: 'Visual Studio Code',
      client_uri: 'https://code.visualstudio.com',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      redirect_uris: [
        'https://insiders.vscode.dev/redirect',
        'https://vscode.dev/redirect',
        'http://localhost/',
        'http://127.0.0.1/',
        'http://localhost:33418/',
        'http://127.0.0.1:33418/',
      ],
      token_endpoint_auth_method: 'none',
    },
    redirectUri: 'http://127.0.0.1:33418/',
  },
  {
    client: 'MCP Inspector (browser, direct mode, no metadata document)',
    source:
      'modelcontextprotocol/inspector client/src/lib/auth.ts@006abfb (InspectorOAuthClientProvider.clientMetadata; redirect window.location.origin + /oauth/callback and /oauth/callback/debug)',
    registration: {
      redirect_uris: ['http://localhost:6274/oauth/callback', 'http://localhost:6274/oauth/callback/debug'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'MCP Inspector',
      client_uri: 'https://github.com/modelcontextprotocol/inspector',
      scope: SCOPE,
    },
    redirectUri: 'http://localhost:6274/oauth/callback',
    headers: { origin: 'http://localhost:6274' },
  },
  {
    client: 'OpenCode',
    source:
      'sst/opencode packages/opencode/src/mcp/oauth-provider.ts (read in the fork 99Yash/opencode@d88b599): OAUTH_CALLBACK_PORT 19876, /mcp/oauth/callback',
    registration: {
      redirect_uris: ['http://127.0.0.1:19876/mcp/oauth/callback'],
      client_name: 'OpenCode',
      client_uri: 'https://opencode.ai',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    redirectUri: 'http://127.0.0.1:19876/mcp/oauth/callback',
  },
  {
    client: 'ChatGPT (custom connector)',
    source:
      'danielealbano/android-remote-control-mcp#166 and BasedHardware/omi#8824 (per-connector https://chatgpt.com/connector/oauth/<id>), garrytan/gbrain#894 (ChatGPT custom connectors are public clients: none)',
    registration: {
      client_name: 'ChatGPT',
      redirect_uris: ['https://chatgpt.com/connector/oauth/OUbdUMlL15Ct'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: SCOPE,
    },
    redirectUri: 'https://chatgpt.com/connector/oauth/OUbdUMlL15Ct',
  },
  {
    client: 'claude.ai (custom connector, DCR)',
    source:
      'anthropics/claude-ai-mcp#1043 (registers token_endpoint_auth_method client_secret_post), claude.com/docs/connectors/building/authentication (https://claude.ai/api/mcp/auth_callback)',
    registration: {
      client_name: 'Claude',
      redirect_uris: ['https://claude.ai/api/mcp/auth_callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
    redirectUri: 'https://claude.ai/api/mcp/auth_callback',
  },
];

describe('the client matrix: each real client registers, signs in and calls a tool', () => {
  let signedIn: Awaited<ReturnType<typeof startSignedInStudio>>;
  let origin: string;
  let scope: string;
  let user: TestUser = 'alice';

  beforeAll(async () => {
    signedIn = await startSignedInStudio({ currentUser: () => user, allowedEmails: 'alice@example.com' });
    origin = signedIn.origin;
    // What every client reads first: the challenge to a request without a token.
    const challenge = await fetch(`${origin}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    scope = /scope="([^"]*)"/.exec(challenge.headers.get('www-authenticate') ?? '')?.[1] ?? '';
  }, 60_000);
  afterAll(async () => {
    await signedIn?.stop();
  });

  it('challenges without error= when no token was sent, names the scope, and publishes what clients discover', async () => {
    const challenge = await fetch(`${origin}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(challenge.status).toBe(401);
    const header = challenge.headers.get('www-authenticate') ?? '';
    expect(header).toMatch(/^Bearer /);
    expect(header).not.toContain('error=');
    expect(header).toContain(`resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`);
    expect(scope.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
    // A browser page on a foreign origin is refused before any sign-in challenge.
    const foreign = await fetch(`${origin}/mcp`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(foreign.status).toBe(403);
    // A token that is not valid: now the error is named (RFC 6750 §3.1), with the scope.
    const refused = await fetch(`${origin}/mcp`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer not-a-token',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(refused.headers.get('www-authenticate')).toContain(`scope="${scope}"`);

    const prm = (await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).json()) as {
      scopes_supported?: string[];
    };
    expect(prm.scopes_supported).toEqual(scope.split(' '));
    // 2025-03-26 clients look for the authorization-server metadata at the root of the MCP server's origin.
    const root = await fetch(`${origin}/.well-known/oauth-authorization-server`, {
      headers: { origin: 'http://localhost:6274' },
    });
    expect(root.status).toBe(200);
    const metadata = (await root.json()) as { issuer: string; registration_endpoint: string };
    expect(metadata.issuer).toBe(`${origin}/api/auth`);
    expect(metadata.registration_endpoint).toBe(`${origin}/api/auth/oauth2/register`);
    // Browser clients read the metadata cross-origin.
    expect(root.headers.get('access-control-allow-origin')).toBe('*');
    expect(root.headers.get('access-control-allow-credentials')).toBeNull();
  });

  for (const row of ROWS) {
    it(`${row.client} [${row.source}]`, async () => {
      const body = JSON.parse(JSON.stringify(row.registration).replaceAll(SCOPE, scope)) as Record<string, unknown>;
      const registered = await fetch(`${origin}/api/auth/oauth2/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...row.headers },
        body: JSON.stringify(body),
      });
      const client = (await registered.json()) as Record<string, unknown>;
      expect(registered.status, JSON.stringify(client)).toBe(201);
      // The client's own redirect URIs come back, not what the server stored them as on the way.
      expect(client.redirect_uris).toEqual(body.redirect_uris);
      if (row.headers?.origin)
        expect(registered.headers.get('access-control-allow-origin')).toMatch(/^\*$|^http:\/\/localhost:6274$/);

      await authorizeExchangeAndCall(origin, {
        clientId: String(client.client_id),
        clientSecret: client.client_secret ? String(client.client_secret) : undefined,
        redirectUri: row.redirectUri,
        scope,
      });
    }, 60_000);
  }

  it('exact match at authorization: a redirect the client did not register is refused, a loopback one on another port is not', async () => {
    const cursor = ROWS.find((r) => r.client === 'Cursor') as Row;
    const registered = (await (
      await fetch(`${origin}/api/auth/oauth2/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(cursor.registration),
      })
    ).json()) as { client_id: string };
    const authorizeWith = async (redirectUri: string) => {
      const url = new URL(`${origin}/api/auth/oauth2/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: registered.client_id,
        redirect_uri: redirectUri,
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
        state: 's',
        scope,
      }).toString();
      // As a browser asks (Node's fetch would get JSON instead of redirects).
      const res = await browserRequest(url.toString(), {
        headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' },
      });
      return res.headers.get('location') ?? `(status ${res.status})`;
    };
    // Private-use: exactly as registered, nothing else (another path, another authority, the placeholder).
    for (const refused of [
      'cursor://anysphere.cursor-mcp/oauth/callback/x',
      'cursor://evil.example/oauth/callback',
      'http://127.0.0.1/nbs-private-use-redirect/0',
    ])
      expect(await authorizeWith(refused), refused).toMatch(/error=invalid_redirect/);
    // Loopback: any port (RFC 8252 §7.3), same host and path.
    expect(await authorizeWith('http://localhost:40999/callback')).not.toMatch(/error=/);
    expect(await authorizeWith('http://localhost:40999/other')).toMatch(/error=invalid_redirect/);
  }, 60_000);

  it('a person not on the list goes back to the client with access_denied, on its loopback port or its private-use scheme', async () => {
    user = 'mallory';
    try {
      for (const name of ['VS Code (registration; loopback on any port)', 'Cursor']) {
        const row = ROWS.find((r) => r.client === name) as Row;
        const client = (await (
          await fetch(`${origin}/api/auth/oauth2/register`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(JSON.parse(JSON.stringify(row.registration).replaceAll(SCOPE, scope))),
          })
        ).json()) as { client_id: string };
        const authorize = new URL(`${origin}/api/auth/oauth2/authorize`);
        authorize.search = new URLSearchParams({
          response_type: 'code',
          client_id: client.client_id,
          redirect_uri: row.redirectUri,
          code_challenge: 'x'.repeat(43),
          code_challenge_method: 'S256',
          state: 'refused-state',
          scope,
        }).toString();
        const back = await browse(authorize.toString(), row.redirectUri);
        expect(back.searchParams.get('error'), name).toBe('access_denied');
        expect(back.searchParams.get('state')).toBe('refused-state');
      }
    } finally {
      user = 'alice';
    }
  }, 60_000);

  it('still refuses what no client needs: javascript: and http on a public host', async () => {
    for (const uri of ['javascript://x/%0aalert(1)', 'http://attacker.example/callback']) {
      const res = await fetch(`${origin}/api/auth/oauth2/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [uri], token_endpoint_auth_method: 'none', client_name: 'x' }),
      });
      expect(res.status, uri).toBe(400);
    }
  });

  it('the v1 TypeScript SDK client (no application_type) signs in by itself and calls a tool', async () => {
    const provider = new TestOAuthProvider();
    const connect = async () => {
      const client = new V1Client({ name: 'v1 matrix', version: '1.0.0' });
      await client.connect(new V1Transport(new URL(`${origin}/mcp`), { authProvider: provider as never }));
      return client;
    };
    let client: V1Client;
    try {
      client = await connect();
    } catch (error) {
      if (!(error instanceof V1UnauthorizedError)) throw error;
      const transport = new V1Transport(new URL(`${origin}/mcp`), { authProvider: provider as never });
      await transport.finishAuth(provider.callback?.get('code') as string);
      client = await connect();
    }
    try {
      const listed = (await client.callTool({ name: 'list_images', arguments: {} })) as { isError?: boolean };
      expect(listed.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    expect(provider.saved?.access_token).toBeTruthy();
  }, 60_000);

  it('mcp-remote 0.1.38, a release with the v1 SDK inside (no application_type), signs in itself and calls a tool', async () => {
    const proxy = path.resolve(import.meta.dirname, '../node_modules/mcp-remote-v1-sdk/dist/proxy.js');
    const answer = await callThroughMcpRemote(proxy, `${origin}/mcp`, { name: 'list_images', arguments: {} });
    expect(answer.error, JSON.stringify(answer)).toBeUndefined();
    expect(answer.result?.isError).toBeFalsy();
  }, 90_000);

  it('the v2 TypeScript SDK client signs in by itself and calls a tool', async () => {
    const client = await connectSignedIn(`${origin}/mcp`, new TestOAuthProvider(), 'v2 matrix');
    try {
      const listed = (await client.callTool({ name: 'list_images', arguments: {} })) as { isError?: boolean };
      expect(listed.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  }, 60_000);
});
