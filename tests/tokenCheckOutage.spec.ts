/**
 * Issue 17: a token check that cannot be made is not a bad token. A signed-in client whose server loses its
 * PostgreSQL database (here: the TCP proxy the server reaches it through is stopped) gets 503 with
 * Retry-After and a body saying the sign-in store is unavailable, not 401 `invalid_token` (which sends
 * every client back to sign in). A token that is really bad still gets 401.
 */
import { rm } from 'node:fs/promises';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { startTestIdp, type TestIdp } from './helpers/oidcProvider.js';
import { type PgProxy, startPgProxy } from './helpers/pgProxy.js';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { listToolsWith, reservePorts, signInEnv, startServer, TestOAuthProvider } from './helpers/signInServer.js';
import { makeDataDir } from './helpers/studio.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;

describe.skipIf(!BASE_URL)('the token check when the sign-in store is down (needs STUDIO_TEST_DATABASE_URL)', () => {
  let db: TestSchema;
  let proxy: PgProxy;
  let emu: Emulator;
  let idp: TestIdp;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let origin: string;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestSchema(BASE_URL as string, 'tokcheck');
    proxy = await startPgProxy(new URL(BASE_URL as string));
    dataDir = await makeDataDir();
    emu = await startEmulator();
    const reserved = await reservePorts(1);
    const port = reserved.ports[0] as number;
    origin = `http://127.0.0.1:${port}`;
    idp = await startTestIdp({ redirectUris: [`${origin}/api/auth/callback/oidc`], currentUser: () => 'alice' });
    const migrated = await runCli(['migrate'], {
      env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
    });
    expect(migrated.code, migrated.stderr).toBe(0);
    // The server reaches the database only through the proxy, so stopping the proxy takes the database away.
    const throughProxy = new URL(db.url);
    throughProxy.hostname = '127.0.0.1';
    throughProxy.port = String(proxy.port);
    await reserved.release();
    server = await startServer(
      port,
      {
        STUDIO_DATABASE_URL: throughProxy.toString(),
        GEMINI_BASE_URL: emu.url,
        ...signInEnv(idp),
        STUDIO_ALLOWED_EMAILS: 'alice@example.com',
      },
      dataDir,
    );
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    proxy?.close();
    await idp?.close();
    await emu?.close();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After, not 401 invalid_token, while the database is unreachable', async () => {
    // Sign in as a client does (the SDK's OAuth flow through the test provider), and use the token once.
    const provider = new TestOAuthProvider();
    const transport = new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider });
    const client = new Client({ name: 'token check outage', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    await transport.finishAuth(provider.callback as URLSearchParams);
    const token = provider.saved?.access_token as string;
    expect(token).toBeTruthy();
    expect((await listToolsWith(origin, token)).status).toBe(200);
    // A token that is really bad is still a bad token.
    const forged = await listToolsWith(origin, `${token.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('invalid_token');

    proxy.close();
    const res = await listToolsWith(origin, token);
    const body = (await res.json()) as { error?: string; message?: string };
    expect(res.status, JSON.stringify(body)).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(body.error).toBe('unavailable');
    expect(body.message).toMatch(/^The sign-in store is unavailable, so your access token could not be checked/);
    expect(body.message).toContain('no need to sign in again');
  }, 90_000);
});
