/**
 * Sign-in on PostgreSQL: several instances starting together on a fresh database take turns creating the
 * sign-in tables, and any of them answers for the others (same secret, same keys in the database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { startTestIdp, type TestIdp } from './helpers/oidcProvider.js';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { freePort, signInEnv, startServer } from './helpers/signInServer.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;

describe.skipIf(!BASE_URL)('sign-in on PostgreSQL with several instances (needs STUDIO_TEST_DATABASE_URL)', () => {
  let db: TestSchema;
  let emu: Emulator;
  let idp: TestIdp;
  const servers: Array<Awaited<ReturnType<typeof startServer>>> = [];

  beforeAll(async () => {
    db = await createTestSchema(BASE_URL as string, 'auth');
    emu = await startEmulator();
    idp = await startTestIdp({ redirectUris: [], currentUser: () => 'alice' });
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
  });

  it('three instances started at once all come up, and each challenges and publishes the same metadata', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const env = {
      STUDIO_DATABASE_URL: db.url,
      GEMINI_BASE_URL: emu.url,
      ...signInEnv(idp),
      STUDIO_ALLOWED_EMAILS: 'alice@example.com',
    };
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
});
