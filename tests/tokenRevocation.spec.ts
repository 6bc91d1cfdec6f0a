/**
 * Stolen and revoked tokens, attacked the way an outsider would: a rotated refresh token replayed over
 * plain HTTP token requests (OAuth 2.1 §4.3.1 and RFC 9700 §4.14.2: refused, and the whole family revoked,
 * its access tokens included), the same replay against a real MCP SDK client that then has to sign in
 * again, and RFC 7009 revocation of an access token (refused on the next request, after a restart too,
 * and not revocable by another client) and of a refresh token (its grant's access tokens end with it).
 */
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from './helpers/emulator.js';
import { startTestIdp } from './helpers/oidcProvider.js';
import { createTestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import {
  freePort,
  listToolsWith,
  signInEnv,
  startServer,
  startSignedInStudio,
  TestOAuthProvider,
} from './helpers/signInServer.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;

describe('refresh-token replay and access-token revocation', () => {
  let signedIn: Awaited<ReturnType<typeof startSignedInStudio>>;
  let origin: string;
  let restarted: Awaited<ReturnType<typeof startServer>> | undefined;

  beforeAll(async () => {
    signedIn = await startSignedInStudio({ currentUser: () => 'alice', allowedEmails: 'alice@example.com' });
    origin = signedIn.origin;
  }, 60_000);
  afterAll(async () => {
    await restarted?.stop({ keepData: true });
    await signedIn?.stop();
  });

  /** Signs a fresh client in through the SDK; returns its provider (tokens and registration). */
  const signIn = async (provider = new TestOAuthProvider()) => {
    const transport = () => new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider });
    const client = new Client({ name: 'replay test', version: '1.0.0' });
    try {
      await client.connect(transport());
      await client.close();
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      await transport().finishAuth(provider.callback as URLSearchParams);
    }
    return provider;
  };

  /** A token request exactly as a public client sends it (form-encoded, client_id in the body). */
  const tokenRequest = async (params: Record<string, string>) => {
    const res = await fetch(`${origin}/api/auth/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ resource: `${origin}/mcp`, ...params }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const revoke = (params: Record<string, string>) =>
    fetch(`${origin}/api/auth/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });

  it('a replayed refresh token is refused (invalid_grant) and its whole family is revoked, access tokens included', async () => {
    const provider = await signIn();
    const clientId = provider.client?.client_id as string;
    const stolen = provider.saved?.refresh_token as string;
    expect(stolen).toBeTruthy();

    // The legitimate client refreshes: a new pair, the old refresh token rotated out.
    const legit = await tokenRequest({ grant_type: 'refresh_token', refresh_token: stolen, client_id: clientId });
    expect(legit.status).toBe(200);
    expect(legit.body.refresh_token).not.toBe(stolen);
    expect((await listToolsWith(origin, legit.body.access_token as string)).status).toBe(200);

    // The thief replays the old one, at once and again: refused every time, never a token.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const replay = await tokenRequest({ grant_type: 'refresh_token', refresh_token: stolen, client_id: clientId });
      expect(replay.status).toBe(400);
      expect(replay.body.error).toBe('invalid_grant');
      expect(replay.body.access_token).toBeUndefined();
    }
    // The family is gone: the refresh token the legitimate client got is refused too ...
    const after = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: legit.body.refresh_token as string,
      client_id: clientId,
    });
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_grant');
    // ... and so are the access tokens it had, on /mcp.
    for (const accessToken of [provider.saved?.access_token as string, legit.body.access_token as string]) {
      const refused = await listToolsWith(origin, accessToken);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    }
    // Signing in again works: the person is not locked out, only the stolen grant is.
    const again = new TestOAuthProvider();
    again.client = provider.client;
    await signIn(again);
    expect((await listToolsWith(origin, again.saved?.access_token as string)).status).toBe(200);
  }, 90_000);

  it('the MCP SDK client whose refresh token was replayed by a thief is sent to sign in again', async () => {
    const provider = await signIn();
    const clientId = provider.client?.client_id as string;
    const stolen = provider.saved?.refresh_token as string;
    // The thief refreshes first with the copy (it works: nobody can tell yet who is who).
    const thief = await tokenRequest({ grant_type: 'refresh_token', refresh_token: stolen, client_id: clientId });
    expect(thief.status).toBe(200);
    // The real client's access token is still good until its next refresh ...
    const client = new Client({ name: 'replay test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider }));
    await client.close();
    // ... which presents the same (now rotated) refresh token: a replay. The SDK's own refresh is refused,
    // the thief's fresh tokens die with the family, and the SDK starts a new authorization.
    provider.saved = { ...(provider.saved as NonNullable<typeof provider.saved>), access_token: 'expired' };
    provider.callback = undefined;
    const retry = new Client({ name: 'replay test', version: '1.0.0' });
    await expect(
      retry.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider })),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    expect((provider.callback as URLSearchParams | undefined)?.get('code')).toBeTruthy();
    expect((await listToolsWith(origin, thief.body.access_token as string)).status).toBe(401);
    const thiefRefresh = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: thief.body.refresh_token as string,
      client_id: clientId,
    });
    expect(thiefRefresh.body.error).toBe('invalid_grant');
  }, 90_000);

  it('an access token revoked by its client (RFC 7009) is refused at once, and still after a restart; another client cannot revoke it', async () => {
    const provider = await signIn();
    const owner = provider.client?.client_id as string;
    const accessToken = provider.saved?.access_token as string;
    const other = (await signIn()).client?.client_id as string;

    // Another client may not revoke it; the token keeps working.
    const foreign = await revoke({ token: accessToken, token_type_hint: 'access_token', client_id: other });
    expect(foreign.status).toBe(400);
    expect((await listToolsWith(origin, accessToken)).status).toBe(200);

    const res = await revoke({ token: accessToken, token_type_hint: 'access_token', client_id: owner });
    expect(res.status, await res.clone().text()).toBe(200);
    const refused = await listToolsWith(origin, accessToken);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('revoked');
    // Without a hint too (RFC 7009 §2.1), for a second token of the same client.
    const second = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: provider.saved?.refresh_token as string,
      client_id: owner,
    });
    expect(second.status).toBe(200);
    expect((await revoke({ token: second.body.access_token as string, client_id: owner })).status).toBe(200);
    expect((await listToolsWith(origin, second.body.access_token as string)).status).toBe(401);

    // The deny-list is in the database: a restarted server (or another instance on it) refuses it too.
    await signedIn.studio.stop({ keepData: true });
    restarted = await startServer(
      signedIn.port,
      { GEMINI_BASE_URL: signedIn.emu.url, ...signInEnv(signedIn.idp), STUDIO_ALLOWED_EMAILS: 'alice@example.com' },
      signedIn.studio.dataDir,
    );
    expect((await listToolsWith(origin, accessToken)).status).toBe(401);
    // The refresh token of that client still works: revoking an access token is not revoking the grant.
    const fresh = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: second.body.refresh_token as string,
      client_id: owner,
    });
    expect(fresh.status).toBe(200);
    expect((await listToolsWith(origin, fresh.body.access_token as string)).status).toBe(200);
    // Revoking the refresh token ends the access tokens of its grant too (RFC 7009 §2.1).
    const ended = await revoke({ token: fresh.body.refresh_token as string, client_id: owner });
    expect(ended.status).toBe(200);
    expect((await listToolsWith(origin, fresh.body.access_token as string)).status).toBe(401);
  }, 120_000);
});

describe.skipIf(!BASE_URL)('revocation shared by instances on PostgreSQL (needs STUDIO_TEST_DATABASE_URL)', () => {
  it('an access token revoked through one instance is refused by another at its next request', async () => {
    const db = await createTestSchema(BASE_URL as string, 'revoke');
    const emu = await startEmulator();
    const [portA, portB] = [await freePort(), await freePort()];
    // Two instances behind one public URL (a load balancer would be in front): same issuer, same keys.
    const origin = `http://127.0.0.1:${portA}`;
    const idp = await startTestIdp({ redirectUris: [`${origin}/api/auth/callback/oidc`], currentUser: () => 'alice' });
    const servers: Array<Awaited<ReturnType<typeof startServer>>> = [];
    try {
      const migrated = await runCli(['migrate'], {
        env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
      });
      expect(migrated.code, migrated.stderr).toBe(0);
      const env = {
        STUDIO_DATABASE_URL: db.url,
        STUDIO_PUBLIC_URL: origin,
        GEMINI_BASE_URL: emu.url,
        ...signInEnv(idp),
        STUDIO_ALLOWED_EMAILS: 'alice@example.com',
      };
      // One image folder for the instances of one database (a second folder is refused at start).
      const first = await startServer(portA, env);
      servers.push(first, await startServer(portB, env, first.dataDir));
      const provider = new TestOAuthProvider();
      const transport = () => new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider });
      try {
        await new Client({ name: 'pg revoke', version: '1.0.0' }).connect(transport());
      } catch (error) {
        if (!(error instanceof UnauthorizedError)) throw error;
        await transport().finishAuth(provider.callback as URLSearchParams);
      }
      const token = provider.saved?.access_token as string;
      const onB = `http://127.0.0.1:${portB}`;
      expect((await listToolsWith(onB, token)).status).toBe(200);
      const res = await fetch(`${origin}/api/auth/oauth2/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: provider.client?.client_id as string }).toString(),
      });
      expect(res.status).toBe(200);
      expect((await listToolsWith(onB, token)).status).toBe(401);
      expect((await listToolsWith(origin, token)).status).toBe(401);
    } finally {
      for (const server of servers) await server.stop();
      await idp.close();
      await emu.close();
      await db.drop();
    }
  }, 120_000);
});
