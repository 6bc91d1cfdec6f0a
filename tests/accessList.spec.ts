/**
 * The allow-list in the database (issue 15): an admin adds an email in the dashboard of one instance, and
 * that person signs in on another instance without a restart; taken off again, they are refused there at
 * their next request. Two real instances on one PostgreSQL schema, the test OpenID provider, a browser's
 * requests (redirects and cookies followed by hand, forms posted with their CSRF token).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { startTestIdp, type TestIdp, type TestUser } from './helpers/oidcProvider.js';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { browserRequest, reservePorts, signInEnv, startServer } from './helpers/signInServer.js';
import { makeDataDir } from './helpers/studio.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;

type Jar = Map<string, string>;
const cookieOf = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** Signs in to the dashboard at `origin` as a browser would; returns its cookies and where it ended. */
async function dashboardSignIn(origin: string): Promise<{ jar: Jar; status: number; url: string; text: string }> {
  const jars = new Map<string, Jar>();
  const jarOf = (o: string) => jars.get(o) ?? (jars.set(o, new Map()).get(o) as Jar);
  let url = `${origin}/ui/sign-in`;
  for (let hop = 0; hop < 20; hop += 1) {
    const jar = jarOf(new URL(url).origin);
    const res = await browserRequest(url, {
      headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate', cookie: cookieOf(jar) },
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (!location) return { jar: jarOf(origin), status: res.status, url, text: res.text };
    url = new URL(location, url).toString();
  }
  throw new Error('too many redirects');
}

describe.skipIf(!BASE_URL)('the allow-list edited by admins (needs STUDIO_TEST_DATABASE_URL)', () => {
  let db: TestSchema;
  let emu: Emulator;
  let idp: TestIdp;
  let user: TestUser = 'alice';
  const servers: Array<Awaited<ReturnType<typeof startServer>>> = [];
  let first = '';
  let second = '';

  beforeAll(async () => {
    db = await createTestSchema(BASE_URL as string, 'access');
    emu = await startEmulator();
    const reserved = await reservePorts(2);
    const ports = reserved.ports;
    [first, second] = ports.map((port) => `http://127.0.0.1:${port}`) as [string, string];
    idp = await startTestIdp({
      redirectUris: ports.map((port) => `http://127.0.0.1:${port}/api/auth/callback/oidc`),
      currentUser: () => user,
    });
    const migrated = await runCli(['migrate'], {
      env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
    });
    expect(migrated.code, migrated.stderr).toBe(0);
    const env = {
      STUDIO_DATABASE_URL: db.url,
      GEMINI_BASE_URL: emu.url,
      ...signInEnv(idp),
      STUDIO_ALLOWED_EMAILS: 'carol@example.com',
      STUDIO_ADMIN_EMAILS: 'alice@example.com',
    };
    // One image folder for the instances of one database (a second folder is refused, issue 18).
    const dataDir = await makeDataDir();
    await reserved.release();
    servers.push(...(await Promise.all(ports.map((port) => startServer(port, env, dataDir)))));
  }, 90_000);
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await idp?.close();
    await emu?.close();
    await db?.drop();
  });

  it('an admin adds an email on one instance; that person signs in on the other at once, and is shut out once removed', async () => {
    // The environment's people are not copied into the table: a restart with another list takes effect.
    const stored = await db.admin.query(`select email from ${db.name}.access_list`);
    expect(stored.rows).toEqual([]);

    // Bob is not on the list: refused on the second instance.
    user = 'bob';
    const refused = await dashboardSignIn(second);
    expect(refused.url).toContain('/ui/sign-in/error');

    // Alice, an admin, adds him on the first instance's dashboard.
    user = 'alice';
    const admin = await dashboardSignIn(first);
    // Where the browser ended, should the sign-in not come back to the dashboard.
    expect(admin.status, `${admin.url}: ${admin.text.slice(0, 300)}`).toBe(200);
    const adminCookie = cookieOf(admin.jar);
    const page = await browserRequest(`${first}/ui/admin`, { headers: { cookie: adminCookie, accept: 'text/html' } });
    expect(page.status, page.text.slice(0, 300)).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const added = await browserRequest(`${first}/ui/admin/access`, {
      method: 'POST',
      headers: { cookie: adminCookie, 'content-type': 'application/x-www-form-urlencoded', origin: first },
      body: new URLSearchParams({ _csrf: csrf, email: 'Bob@Example.com', role: 'member' }).toString(),
    });
    expect(added.status).toBe(303);

    // Bob signs in on the second instance, which was not restarted.
    user = 'bob';
    const bob = await dashboardSignIn(second);
    expect(bob.status, bob.url).toBe(200);
    expect(bob.text).toContain('bob@example.com');
    const bobCookie = cookieOf(bob.jar);

    // The audit log, on the admin page of either instance.
    const after = await browserRequest(`${second}/ui/admin`, { headers: { cookie: adminCookie, accept: 'text/html' } });
    expect(after.text).toMatch(/<td>alice@example\.com<\/td><td>add<\/td><td>bob@example\.com<\/td><td>member<\/td>/);
    expect(after.text).toMatch(/<td>carol@example\.com<\/td><td>member<\/td><td>configuration<\/td>/);
    // The same page shows each person's storage (nobody has images yet).
    expect(after.text).toContain('<h2>Storage per person</h2>');
    // Not for people who are not admins.
    expect(
      (await browserRequest(`${second}/ui/admin`, { headers: { cookie: bobCookie, accept: 'text/html' } })).status,
    ).toBe(403);

    // Alice takes him off on the second instance: his session on the first ends at his next request.
    const csrf2 = /name="_csrf" value="([^"]+)"/.exec(after.text)?.[1] ?? '';
    const removed = await browserRequest(`${second}/ui/admin/access/remove`, {
      method: 'POST',
      headers: { cookie: adminCookie, 'content-type': 'application/x-www-form-urlencoded', origin: second },
      body: new URLSearchParams({ _csrf: csrf2, email: 'bob@example.com' }).toString(),
    });
    expect(removed.status).toBe(303);
    const shut = await browserRequest(`${first}/ui`, { headers: { cookie: bobCookie, accept: 'text/html' } });
    expect(shut.status).toBe(302);
    expect(shut.headers.get('location')).toContain('/ui/sign-in');

    // People of the configuration are not removed from the dashboard (their entry is the environment's).
    const fixed = await browserRequest(`${second}/ui/admin/access/remove`, {
      method: 'POST',
      headers: { cookie: adminCookie, 'content-type': 'application/x-www-form-urlencoded', origin: second },
      body: new URLSearchParams({ _csrf: csrf2, email: 'carol@example.com' }).toString(),
    });
    expect(fixed.status).toBe(403);
    const audit = await db.admin.query<{ action: string; email: string }>(
      `select action, email from ${db.name}.access_audit order by at`,
    );
    expect(audit.rows).toEqual([
      { action: 'add', email: 'bob@example.com' },
      { action: 'remove', email: 'bob@example.com' },
    ]);
  }, 120_000);
});
