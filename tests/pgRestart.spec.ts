/**
 * What cannot be done to the shared test server: a PostgreSQL of this test's own (initdb + pg_ctl on a
 * free loopback port) restarted under working instances, and PgBouncer in transaction mode in front of it.
 * Skipped, saying why, when the PostgreSQL binaries (or pgbouncer) are not installed.
 */
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { FLEET_EMULATOR_START, type Fleet, fleetOn } from './helpers/multiInstance.js';
import {
  type OwnPgBouncer,
  type OwnPostgres,
  pgbouncerBinary,
  postgresBinaries,
  startOwnPostgres,
  startPgBouncer,
} from './helpers/ownPostgres.js';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { makeDataDir } from './helpers/studio.js';

const binaries = postgresBinaries();
const bouncer = pgbouncerBinary();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf('missing' in binaries)(
  `a PostgreSQL of the test's own, restarted and pooled (${'missing' in binaries ? `SKIPPED: ${binaries.missing}` : 'initdb found'})`,
  () => {
    let own: OwnPostgres;
    let emu: Emulator;
    let dataDir: string;

    /** One short-lived connection per question: a restart cuts any long-lived one. */
    const query = async <R extends object>(url: string, text: string, values: unknown[] = []) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<R>(text, values)).rows;
      } finally {
        await client.end();
      }
    };
    const alive = (fleet: Fleet, name: string) => {
      try {
        process.kill(fleet.instances.get(name)?.pid() as number, 0);
        return true;
      } catch {
        return false;
      }
    };

    beforeAll(async () => {
      own = await startOwnPostgres((binaries as { bin: string }).bin);
      emu = await startEmulator({ startAt: FLEET_EMULATOR_START });
      dataDir = await makeDataDir();
    }, 60_000);

    afterAll(async () => {
      await emu?.close();
      await own?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('a PostgreSQL restart in the middle of work costs time: both instances stay up and every pipeline completes', async () => {
      const db: TestSchema = await createTestSchema(own.url, 'restart');
      // The restart cuts this connection too; the test asks on fresh ones.
      db.admin.on('error', () => undefined);
      const fleet = fleetOn(db, emu, dataDir, { STUDIO_SWEEP_SECONDS: '2' });
      try {
        const migrated = await runCli(['migrate'], {
          env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
        });
        expect(migrated.code, migrated.stderr).toBe(0);
        await Promise.all(['a', 'b'].map((name) => fleet.start(name)));
        emu.faults.setGlobal({ latencyMs: 2500 });
        const ids: string[] = [];
        for (const name of ['a', 'b', 'a', 'b'])
          ids.push(...(await fleet.startAsync(name, `restart: from ${name}`, 4)));
        for (let i = 0; i < 100; i += 1) {
          const running = await query<{ n: string }>(
            own.url,
            `select count(*) as n from ${db.name}.pipelines where status = 'running'`,
          );
          if (Number(running[0]?.n) > 0) break;
          await sleep(50);
        }
        const restartedAt = Date.now();
        const tookMs = await own.restart();
        const snapshots = await Promise.all(ids.map((id) => fleet.waitFor('b', id, 200)));
        const allDoneMs = Date.now() - restartedAt;
        process.stderr.write(
          `restart: PostgreSQL restarted in ${tookMs} ms; all ${ids.length} pipelines done ${allDoneMs} ms after\n`,
        );
        expect(snapshots.map((s) => `${s.status}:${s.error?.message ?? ''}`)).toEqual(ids.map(() => 'completed:'));
        for (const name of ['a', 'b']) {
          expect(alive(fleet, name), `instance ${name} is up`).toBe(true);
          expect(fleet.instances.get(name)?.stderr()).not.toMatch(/Unhandled 'error' event/);
        }
        // And they go on working on the restarted server.
        emu.faults.setGlobal(null);
        const [after] = await fleet.startAsync('a', 'restart: after');
        expect((await fleet.waitFor('b', after as string)).status).toBe('completed');
      } finally {
        emu.faults.setGlobal(null);
        await fleet.close();
        await db.admin.end().catch(() => undefined);
      }
    }, 240_000);

    describe.skipIf(!bouncer)(
      `through PgBouncer in transaction mode (${bouncer ? 'pgbouncer found' : 'SKIPPED: pgbouncer is not installed'})`,
      () => {
        let pool: OwnPgBouncer;

        afterAll(async () => {
          await pool?.stop();
        });

        it('three instances share 6 server connections through PgBouncer, with their LISTEN connections straight to PostgreSQL', async () => {
          pool = await startPgBouncer(bouncer as string, own, 6);
          // PgBouncer takes no `options` startup parameter (no per-connection search_path): the public schema.
          const db: TestSchema = {
            name: 'public',
            url: own.url,
            admin: new pg.Client({ connectionString: own.url }),
            drop: async () => undefined,
          };
          await db.admin.connect();
          const migrated = await runCli(['migrate'], {
            env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: own.url },
          });
          expect(migrated.code, migrated.stderr).toBe(0);
          const listenUrl = new URL(own.url);
          const fleet = fleetOn(db, emu, dataDir, {}, pool.url);
          try {
            await Promise.all(
              ['p', 'q', 'r'].map((name) => {
                listenUrl.searchParams.set('application_name', `pooled_${name}`);
                return fleet.start(name, { STUDIO_DATABASE_LISTEN_URL: listenUrl.toString() });
              }),
            );
            const adminPid = (await db.admin.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
            let peak = 0;
            let sampling = true;
            const sampler = (async () => {
              while (sampling) {
                const [row] = await query<{ n: string }>(
                  own.url,
                  `select count(*) as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()
                     and pid <> $1 and coalesce(application_name, '') not like 'pooled\\_%'`,
                  [adminPid],
                );
                peak = Math.max(peak, Number(row?.n));
                await sleep(50);
              }
            })();
            emu.faults.setGlobal({ latencyMs: 600 });
            try {
              const ids: string[] = [];
              for (const name of ['p', 'q', 'r', 'p', 'q', 'r'])
                ids.push(...(await fleet.startAsync(name, `pooled: ${name}`, 4)));
              // Fetched on another instance than the one that made it: the long-poll wakes by NOTIFY.
              const snapshots = await Promise.all(
                ids.map((id, i) => fleet.waitFor(['q', 'r', 'p'][i % 3] as string, id)),
              );
              expect(snapshots.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
            } finally {
              sampling = false;
              await sampler;
              emu.faults.setGlobal(null);
            }
            const listens = await query<{ n: string }>(
              own.url,
              `select count(*) as n from pg_stat_activity where application_name like 'pooled\\_%-listen'`,
            );
            process.stderr.write(
              `pgbouncer: peak ${peak} server connections for 3 instances, plus ${listens[0]?.n} LISTEN\n`,
            );
            expect(Number(listens[0]?.n)).toBe(3);
            // PgBouncer's pool, not 3 × 7.
            expect(peak).toBeLessThanOrEqual(6);
            expect(peak).toBeGreaterThan(0);
          } finally {
            await fleet.close();
            await db.admin.end();
          }
        }, 180_000);
      },
    );
  },
);
