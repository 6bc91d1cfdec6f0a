/**
 * An expired access token is refused (401 with the challenge), and the client's refresh token gets it a
 * new one. Access tokens live STUDIO_ACCESS_TOKEN_SECONDS (5 s here).
 */
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { startTestIdp, type TestIdp } from './helpers/oidcProvider.js';
import { freePort, listToolsWith, signInEnv, startServer, TestOAuthProvider } from './helpers/signInServer.js';

describe('access-token expiry', () => {
  let emu: Emulator;
  let idp: TestIdp;
  let studio: Awaited<ReturnType<typeof startServer>>;
  let origin: string;

  beforeAll(async () => {
    emu = await startEmulator();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    idp = await startTestIdp({ redirectUris: [`${origin}/api/auth/callback/oidc`], currentUser: () => 'alice' });
    studio = await startServer(port, {
      GEMINI_BASE_URL: emu.url,
      ...signInEnv(idp),
      STUDIO_ALLOWED_EMAILS: 'alice@example.com',
      STUDIO_ACCESS_TOKEN_SECONDS: '5',
    });
  }, 60_000);
  afterAll(async () => {
    await studio?.stop();
    await idp?.close();
    await emu?.close();
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
