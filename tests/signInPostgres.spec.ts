/**
 * Sign-in on PostgreSQL: several instances starting together on a fresh database take turns creating the
 * sign-in tables, and any of them answers for the others (same secret, same keys in the database).
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { startTestIdp, type TestIdp } from './helpers/oidcProvider.js';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { browserRequest, reservePorts, signInEnv, startServer } from './helpers/signInServer.js';
import { makeDataDir } from './helpers/studio.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;

describe.skipIf(!BASE_URL)('sign-in on PostgreSQL with several instances (needs STUDIO_TEST_DATABASE_URL)', () => {
  let db: TestSchema;
  let emu: Emulator;
  let idp: TestIdp;
  const servers: Array<Awaited<ReturnType<typeof startServer>>> = [];
  let ports: number[] = [];
  let releasePorts: () => Promise<void> = async () => {};

  let dataDir: string;
  beforeAll(async () => {
    db = await createTestSchema(BASE_URL as string, 'auth');
    dataDir = await makeDataDir();
    emu = await startEmulator();
    const reserved = await reservePorts(3);
    ports = reserved.ports;
    releasePorts = reserved.release;
    idp = await startTestIdp({
      redirectUris: ports.map((port) => `http://127.0.0.1:${port}/api/auth/callback/oidc`),
      currentUser: () => 'alice',
    });
    const migrated = await runCli(['migrate'], {
      env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
    });
    expect(migrated.code, migrated.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await idp?.close();
    await emu?.close();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('three instances started at once all come up, and each challenges and publishes the same metadata', async () => {
    const env = {
      STUDIO_DATABASE_URL: db.url,
      // One image folder for the instances of one database (it refuses another).
      STUDIO_DATA_DIR: dataDir,
      GEMINI_BASE_URL: emu.url,
      ...signInEnv(idp),
      STUDIO_ALLOWED_EMAILS: 'alice@example.com',
    };
    await releasePorts();
    servers.push(...(await Promise.all(ports.map((port) => startServer(port, env)))));
    for (const port of ports) {
      const res = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('resource_metadata=');
    }
    const tables = await db.admin.query<{ n: string }>(
      `select count(*) as n from information_schema.tables where table_schema = $1 and table_name like 'auth_%'`,
      [db.name],
    );
    expect(Number(tables.rows[0]?.n)).toBeGreaterThanOrEqual(10);
  }, 90_000);

  it('a dashboard session made on one instance is honoured by the others, forms included', async () => {
    const [first, second] = ports.map((port) => `http://127.0.0.1:${port}`) as [string, string];
    // Sign in on the first instance, as a browser: follow the redirects through the provider, keep the cookies.
    const jars = new Map<string, Map<string, string>>();
    const jarOf = (origin: string) =>
      jars.get(origin) ?? (jars.set(origin, new Map()).get(origin) as Map<string, string>);
    let url = `${first}/ui/sign-in`;
    for (let hop = 0; hop < 20; hop += 1) {
      const jar = jarOf(new URL(url).origin);
      const res = await browserRequest(url, {
        headers: {
          accept: 'text/html',
          'sec-fetch-mode': 'navigate',
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        },
      });
      for (const set of res.headers.getSetCookie()) {
        const [pair = ''] = set.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
      }
      const location = res.headers.get('location');
      if (!location) break;
      url = new URL(location, url).toString();
    }
    const cookies = jarOf(first);
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    // The second instance knows the session (it lives in the shared database).
    const page = await browserRequest(`${second}/ui/settings`, { headers: { cookie, accept: 'text/html' } });
    expect(page.status, page.text.slice(0, 300)).toBe(200);
    expect(page.text).toContain('alice@example.com');
    // And its CSRF check accepts the token the form carries (keyed by the shared STUDIO_AUTH_SECRET).
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const saved = await browserRequest(
      `${ports.length > 2 ? `http://127.0.0.1:${ports[2]}` : second}/ui/settings/model`,
      {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: second },
        body: new URLSearchParams({ _csrf: csrf, model: 'pro' }).toString(),
      },
    );
    expect([200, 302, 303]).toContain(saved.status);
    const again = await browserRequest(`${first}/ui/settings`, { headers: { cookie, accept: 'text/html' } });
    expect(again.text).toMatch(/<option value="pro" selected/);
  }, 90_000);
});
