/**
 * An expired access token is refused (401 with the challenge), and the client's refresh token gets it a
 * new one. Access tokens live STUDIO_ACCESS_TOKEN_SECONDS (5 s here).
 */
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listToolsWith, startSignedInStudio, TestOAuthProvider } from './helpers/signInServer.js';

describe('access-token expiry', () => {
  let signedIn: Awaited<ReturnType<typeof startSignedInStudio>>;
  let origin: string;

  beforeAll(async () => {
    signedIn = await startSignedInStudio({
      currentUser: () => 'alice',
      allowedEmails: 'alice@example.com',
      env: { STUDIO_ACCESS_TOKEN_SECONDS: '5' },
    });
    origin = signedIn.origin;
  }, 60_000);
  afterAll(async () => {
    await signedIn?.stop();
  });

  it('refuses an expired access token, and the client refreshes to go on', async () => {
    const provider = new TestOAuthProvider();
    const connect = async () => {
      const client = new Client({ name: 'expiry test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider }));
      return client;
    };
    try {
      await (await connect()).close();
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      await new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider }).finishAuth(
        provider.callback as URLSearchParams,
      );
    }
    const first = provider.saved?.access_token as string;
    const list = (token: string) => listToolsWith(origin, token);
    expect((await list(first)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 6_500));
    const expired = await list(first);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
    // The SDK client refreshes by itself and goes on.
    const client = await connect();
    try {
      expect(((await client.listTools()).tools ?? []).length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
    expect(provider.saved?.access_token).not.toBe(first);
  }, 60_000);
});
