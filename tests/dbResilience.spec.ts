/**
 * Several instances survive their database (issue 18): backends terminated in the middle of work, database
 * errors in the middle of a run, a LISTEN connection that dies or goes silent, and the connections an
 * instance opens. Real server processes on the shared test PostgreSQL, each tagging its connections with
 * its own application_name, so that this file only ever counts and terminates its own backends.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openListenerHub } from '../src/store/listenerHub.js';
import { type Emulator, generateRequests, marker, startEmulator, withLatency } from './helpers/emulator.js';
import { type Fleet, fleetOn, migrateSchema } from './helpers/multiInstance.js';
import { startPgProxy } from './helpers/pgProxy.js';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { makeDataDir } from './helpers/studio.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;
const withUser = (url: string) => {
  const parsed = new URL(url);
  if (!parsed.username) parsed.username = os.userInfo().username;
  return parsed.toString();
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!BASE_URL)('instances and a database that fails under them (needs STUDIO_TEST_DATABASE_URL)', () => {
  let db: TestSchema;
  let emu: Emulator;
  let fleet: Fleet;
  let dataDir: string;

  const rows = async (ids: string[]) =>
    (
      await db.admin.query<{ id: string; status: string; attempts: number; error: string | null; run_by: string }>(
        `select id, status, attempts, error, run_by from ${db.name}.pipelines where id = any($1)`,
        [ids],
      )
    ).rows;
  const untilRunning = async (ids: string[]) => {
    for (let i = 0; i < 200; i += 1) {
      if ((await rows(ids)).some((r) => r.status === 'running')) return;
      await sleep(50);
    }
    throw new Error('nothing started running');
  };
  const alive = (name: string) => {
    const pid = fleet.instances.get(name)?.pid();
    if (!pid) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    db = await createTestSchema(BASE_URL as string, 'dbres');
    // Before 3.1 Flash Image's shutdown (2026-10-29), so its 512 px tier keeps these runs light.
    emu = await startEmulator({ startAt: '2026-10-20T00:00:00Z' });
    await migrateSchema(db);
    dataDir = await makeDataDir();
    fleet = fleetOn(db, emu, dataDir, { STUDIO_SWEEP_SECONDS: '1' });
    await Promise.all(['a', 'b', 'c'].map((name) => fleet.start(name)));
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
    await emu?.close();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('an instance at concurrency 4 opens at most its pool + 1 connections (8), half of the 18 it took before', async () => {
    const peak = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const byName = await fleet.connections();
        for (const name of ['a', 'b', 'c']) {
          const n = [...byName]
            .filter(([app]) => app.startsWith(`${fleet.appName(name)}-`))
            .reduce((s, [, c]) => s + c, 0);
          peak.set(name, Math.max(peak.get(name) ?? 0, n));
        }
        await sleep(25);
      }
    })();
    try {
      await withLatency(emu, 800, async () => {
        const ids: string[] = [];
        for (const name of ['a', 'b', 'a', 'b', 'c'])
          ids.push(...(await fleet.startAsync(name, `dbres: connections from ${name}`, 4)));
        // Long-polls on every instance at once (they hold no connection while they wait).
        const snapshots = await Promise.all(ids.map((id, i) => fleet.waitFor(['a', 'b', 'c'][i % 3] as string, id)));
        expect(snapshots.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
      });
    } finally {
      sampling = false;
      await sampler.catch(() => undefined);
    }
    process.stderr.write(`dbres: peak connections per instance at concurrency 4: ${JSON.stringify([...peak])}\n`);
    for (const [name, n] of peak) {
      expect(n, `instance ${name}`).toBeGreaterThanOrEqual(2);
      expect(n, `instance ${name}`).toBeLessThanOrEqual(8);
    }
  }, 120_000);

  it('every backend of three working instances is terminated mid-run: every instance stays up and every pipeline completes', async () => {
    await withLatency(emu, 2000, async () => {
      const ids = [
        ...(await fleet.startAsync('a', 'dbres: terminated under a', 4)),
        ...(await fleet.startAsync('b', 'dbres: terminated under b', 4)),
        ...(await fleet.startAsync('c', 'dbres: terminated under c', 4)),
      ];
      await untilRunning(ids);
      await sleep(300);
      const first = await fleet.terminate();
      expect(first).toBeGreaterThanOrEqual(6);
      await sleep(1200);
      // Again, while the instances are reconnecting and retrying.
      await fleet.terminate();
      const snapshots = await Promise.all(ids.map((id) => fleet.waitFor('c', id, 200)));
      expect(snapshots.map((s) => `${s.pipeline_id}:${s.status}:${s.error?.message ?? ''}`)).toEqual(
        ids.map((id) => `${id}:completed:`),
      );
      for (const name of ['a', 'b', 'c']) {
        expect(alive(name), `instance ${name} is up`).toBe(true);
        expect(fleet.instances.get(name)?.stderr()).not.toMatch(/Unhandled 'error' event/);
        // And it still works.
        const listed = await fleet.call(name, 'list_images', { limit: 1 });
        expect(listed.isError, JSON.stringify(listed.content)).toBeFalsy();
      }
    });
  }, 240_000);

  it('a database error while a run records its end is retried; the pipeline completes instead of staying running', async () => {
    // The first two writes that end a pipeline of this test fail as a PostgreSQL serialization failure would.
    const tag = `inj${Date.now()}`;
    await db.admin.query(`create sequence ${db.name}.${tag}_seq`);
    await db.admin.query(`create function ${db.name}.${tag}() returns trigger language plpgsql as $$
      begin
        if new.status in ('completed', 'failed') and new.input like '%${tag}%' and nextval('${db.name}.${tag}_seq') <= 2 then
          raise exception 'injected failure' using errcode = '40001';
        end if;
        return new;
      end $$`);
    await db.admin.query(
      `create trigger ${tag} before update on ${db.name}.pipelines for each row execute function ${db.name}.${tag}()`,
    );
    try {
      const [id] = await fleet.startAsync('a', `dbres: ${tag}`);
      const snapshot = await fleet.waitFor('b', id as string, 60);
      expect(snapshot.status).toBe('completed');
      const [row] = await rows([id as string]);
      // Run three times: twice its end could not be written, the third time it could.
      expect(row?.attempts).toBe(3);
      const { rows: seq } = await db.admin.query<{ last_value: string }>(
        `select last_value from ${db.name}.${tag}_seq`,
      );
      expect(Number(seq[0]?.last_value)).toBe(3);
    } finally {
      await db.admin.query(`drop trigger ${tag} on ${db.name}.pipelines`);
    }
  }, 90_000);

  it('the sweep settles a pipeline left running after its job ended', async () => {
    const [id] = await fleet.startAsync('b', 'dbres: stranded after its job ended');
    expect((await fleet.waitFor('b', id as string)).status).toBe('completed');
    // What the old engine left behind: the job completed, the row still running (and long untouched).
    await db.admin.query(
      `update ${db.name}.pipelines set status = 'running', finished_at = null, updated_at = '2020-01-01T00:00:00.000Z' where id = $1`,
      [id],
    );
    const began = Date.now();
    let row = (await rows([id as string]))[0];
    while (row?.status === 'running' && Date.now() - began < 15_000) {
      await sleep(200);
      row = (await rows([id as string]))[0];
    }
    expect(row?.status).toBe('failed');
    expect(row?.error).toMatch(/could not be resumed|Call it again/);
  }, 60_000);

  it('a terminated LISTEN connection is replaced within 5 s, and a cross-instance cancel still lands at once', async () => {
    const before = await fleet.connections();
    expect(before.get(`${fleet.appName('a')}-listen`)).toBe(1);
    const began = Date.now();
    expect(await fleet.terminate('_a-listen')).toBe(1);
    let back = 0;
    while (Date.now() - began < 10_000) {
      const now = await fleet.connections();
      if (now.get(`${fleet.appName('a')}-listen`) === 1 && Date.now() - began > 50) {
        back = Date.now() - began;
        break;
      }
      await sleep(50);
    }
    expect(back, 'replaced').toBeGreaterThan(0);
    expect(back).toBeLessThan(5000);
    await withLatency(emu, 20_000, async () => {
      const [id] = await fleet.startAsync('a', 'dbres: cancelled after a LISTEN drop');
      await untilRunning([id as string]);
      const runner = (await rows([id as string]))[0]?.run_by as string;
      const other = ['a', 'b', 'c'].find((n) => n !== runner) as string;
      const t0 = Date.now();
      const result = await fleet.call(other, 'cancel_pipeline', { pipeline_id: id });
      expect((result.structuredContent as { status: string }).status).toBe('cancelled');
      expect(Date.now() - t0).toBeLessThan(3000);
    });
  }, 60_000);

  it('announces a pipeline to the other instances when its state changes, and its progress only while someone there follows it', async () => {
    const probe = new pg.Client({ connectionString: withUser(BASE_URL as string) });
    await probe.connect();
    const heard = new Map<string, string[]>();
    probe.on('notification', (m) => {
      const signal = JSON.parse(m.payload ?? '{}') as {
        id: string;
        status: string;
        follow?: boolean;
        cancel?: boolean;
      };
      if (signal.follow || signal.cancel) return;
      heard.set(signal.id, [...(heard.get(signal.id) ?? []), signal.status]);
    });
    await probe.query(`listen "nanobanana_pipelines_${db.name}"`);
    try {
      await withLatency(emu, 1500, async () => {
        // Nobody follows it: two notifying commits, running and completed.
        const [quiet] = await fleet.startAsync('b', 'dbres: announced twice');
        expect((await fleet.waitFor('c', quiet as string)).status).toBe('completed');
        await sleep(200);
        expect(heard.get(quiet as string)).toEqual(['running', 'completed']);

        // A synchronous call showing progress follows its pipelines: those run elsewhere announce their steps.
        let elsewhere: string[] = [];
        for (let round = 0; round < 3 && elsewhere.length === 0; round += 1) {
          const events: unknown[] = [];
          const result = await fleet.instances.get('a')?.client.callTool(
            {
              name: 'generate_image',
              arguments: { prompt: `dbres: followed ${round}`, n: 4, model: 'nb2', image_size: '512' },
            },
            { onprogress: (p) => events.push(p) },
          );
          expect(result?.isError, JSON.stringify(result?.content)).toBeFalsy();
          await sleep(200);
          const { rows: ran } = await db.admin.query<{ id: string; run_by: string }>(
            `select id, run_by from ${db.name}.pipelines where input like $1`,
            [`%dbres: followed ${round}%`],
          );
          for (const r of ran.filter((r) => r.run_by === 'a'))
            expect(heard.get(r.id)).toEqual(['running', 'completed']);
          elsewhere = ran.filter((r) => r.run_by !== 'a').map((r) => r.id);
          expect(events.length).toBeGreaterThan(4);
        }
        expect(elsewhere.length, 'some pipeline ran on another instance than the caller').toBeGreaterThan(0);
        for (const id of elsewhere) expect((heard.get(id) ?? []).length, id).toBeGreaterThan(2);
      });
    } finally {
      await probe.end();
    }
  }, 90_000);

  it('SIGTERM answers the long-polls in flight with the current state and "server stopping, call again"', async () => {
    const stopping = await fleet.start('d', { STUDIO_CONCURRENCY: '1' });
    try {
      await withLatency(emu, 6000, async () => {
        const [id] = await fleet.startAsync('d', 'dbres: long-polled through a stop');
        await untilRunning([id as string]);
        const began = Date.now();
        const poll = fleet.call('d', 'get_image', { pipeline_id: id, wait_seconds: 120 });
        await sleep(500);
        // SIGTERM as a process manager sends it, with the client still connected.
        process.kill(stopping.pid() as number, 'SIGTERM');
        const answer = await poll;
        const answeredAfter = Date.now() - began;
        for (let i = 0; i < 100 && alive('d'); i += 1) await sleep(100);
        expect(alive('d'), 'the stopped instance exited').toBe(false);
        await stopping.close();
        fleet.instances.delete('d');
        expect(answer.isError, JSON.stringify(answer.content)).toBeFalsy();
        expect(['queued', 'running']).toContain((answer.structuredContent as { status: string }).status);
        expect(JSON.stringify(answer.content)).toMatch(/server is stopping: call get_image again/);
        // At the stop, not after the 6 s Gemini call nor the 120 s wait.
        expect(answeredAfter).toBeLessThan(4000);
        // Handed back (grace 0): another instance finishes it, and the call made again gets it.
        expect((await fleet.waitFor('a', id as string)).status).toBe('completed');
      });
    } finally {
      if (fleet.instances.has('d')) {
        await stopping.close();
        fleet.instances.delete('d');
      }
    }
  }, 60_000);

  it('the ledger counts every call the emulator received, through a SIGKILL and a graceful hand-back (marked as such)', async () => {
    const tag = marker('ledger');
    const victim = await fleet.start('k', { STUDIO_CONCURRENCY: '3' });
    try {
      await withLatency(emu, 4000, async () => {
        const ids: string[] = [];
        for (let i = 0; i < 4; i += 1) ids.push(...(await fleet.startAsync('a', `dbres: ${tag} ${i}`, 4)));
        const runningOn = async (name: string) => {
          for (let i = 0; i < 200; i += 1) {
            const held = (await rows(ids)).filter((r) => r.status === 'running' && r.run_by === name);
            if (held.length > 0) return held;
            await sleep(50);
          }
          return [];
        };
        // Killed while its Gemini calls are in flight: they reached the emulator, its process never saw an answer.
        expect((await runningOn('k')).length).toBeGreaterThan(0);
        await sleep(500);
        victim.kill();
        fleet.instances.delete('k');
        // Another instance stops gracefully (grace 0) with calls in flight: it aborts and hands them back.
        const leaving = await fleet.start('h', { STUDIO_CONCURRENCY: '3' });
        expect((await runningOn('h')).length).toBeGreaterThan(0);
        await sleep(500);
        await leaving.close();
        fleet.instances.delete('h');
        const snapshots = await Promise.all(ids.map((id) => fleet.waitFor('b', id, 200)));
        expect(snapshots.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
      });
      const sent = generateRequests(emu, tag).length;
      const { rows: ledger } = await db.admin.query<{ outcome: string | null; n: string }>(
        `select outcome, count(*) as n from ${db.name}.ledger where pipeline_id in
           (select id from ${db.name}.pipelines where input like $1) group by outcome`,
        [`%${tag}%`],
      );
      const by = Object.fromEntries(ledger.map((r) => [r.outcome ?? 'answered', Number(r.n)]));
      process.stderr.write(`dbres: emulator calls ${sent}, ledger ${JSON.stringify(by)}\n`);
      expect(by.answered).toBe(16);
      expect(by.interrupted ?? 0).toBeGreaterThan(0);
      expect(by['handed-back'] ?? 0).toBeGreaterThan(0);
      expect(Object.values(by).reduce((a, b) => a + b, 0)).toBe(sent);
      // The dashboard's figures come from the same rows: every call counted at its list price.
      const { rows: spend } = await db.admin.query<{ usd: number }>(
        `select sum(cost_usd) as usd from ${db.name}.ledger where pipeline_id in
           (select id from ${db.name}.pipelines where input like $1)`,
        [`%${tag}%`],
      );
      expect(Number(spend[0]?.usd)).toBeCloseTo(sent * 0.045, 6);
    } finally {
      for (const name of ['k', 'h']) {
        await fleet.instances.get(name)?.close();
        fleet.instances.delete(name);
      }
    }
  }, 180_000);

  it('SIGKILL recovery takes at most lease + lease/2 (the queue monitor) + the 2 s poll + the call (the README formula)', async () => {
    const victim = await fleet.start('v', { STUDIO_CONCURRENCY: '2' });
    try {
      await withLatency(emu, 2000, async () => {
        // More than the other instances take at once (3 × 4), so that the victim holds some.
        const ids: string[] = [];
        for (let i = 0; i < 5; i += 1) ids.push(...(await fleet.startAsync('v', `dbres: recovery time ${i}`, 4)));
        let held: string[] = [];
        for (let i = 0; i < 400 && held.length === 0; i += 1) {
          held = (await rows(ids)).filter((r) => r.status === 'running' && r.run_by === 'v').map((r) => r.id);
          await sleep(25);
        }
        expect(held.length).toBeGreaterThan(0);
        const killedAt = Date.now();
        victim.kill();
        fleet.instances.delete('v');
        await Promise.all(held.map((id) => fleet.waitFor('a', id, 120)));
        const { rows: done } = await db.admin.query<{ finished_at: string }>(
          `select finished_at from ${db.name}.pipelines where id = any($1)`,
          [held],
        );
        const seconds = done.map((r) => (Date.parse(r.finished_at) - killedAt) / 1000).sort((x, y) => x - y);
        process.stderr.write(
          `dbres: SIGKILL recovery (lease 10 s, call 2 s): ${seconds.map((x) => x.toFixed(1)).join(', ')} s\n`,
        );
        // Lease 10 s; the monitor runs every 5 s; workers poll every 2 s; then the 2 s call.
        for (const x of seconds) expect(x).toBeLessThanOrEqual(10 + 5 + 2 + 2 + 3);
        for (const x of seconds) expect(x).toBeGreaterThanOrEqual(10);
      });
    } finally {
      if (fleet.instances.has('v')) {
        await victim.close();
        fleet.instances.delete('v');
      }
    }
  }, 120_000);

  it('refuses to start on the shared database with another local image folder, and says which setting is missing', async () => {
    const elsewhere = await makeDataDir();
    try {
      const url = new URL(db.url);
      url.searchParams.set('application_name', fleet.appName('z'));
      const started = await runCli(['serve', '--port', '0'], {
        env: {
          HOME: process.env.HOME ?? '/tmp',
          STUDIO_DATABASE_URL: url.toString(),
          STUDIO_DATA_DIR: elsewhere,
          GEMINI_API_KEY: 'k',
          GEMINI_BASE_URL: emu.url,
        },
      });
      expect(started.code, started.stderr).toBe(2);
      expect(started.stderr).toMatch(/keeps its images in another local folder than/);
      expect(started.stderr).toMatch(/set STUDIO_BLOB_URL=s3:\/\/bucket\/prefix/);
      // The fleet's own folder is still the one registered: its instances go on.
      expect((await fleet.call('a', 'list_images', { limit: 1 })).isError).toBeFalsy();
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  }, 60_000);

  it('a LISTEN connection that goes silent (no error, no close) is noticed by its heartbeat and replaced within 5 s', async () => {
    const proxy = await startPgProxy(new URL(BASE_URL as string));
    const url = new URL(BASE_URL as string);
    url.host = `127.0.0.1:${proxy.port}`;
    url.searchParams.set('application_name', `${db.name}_hub`);
    const warnings: string[] = [];
    const hub = await openListenerHub({ url: url.toString(), log: { warn: (_o, m) => warnings.push(m) } });
    const channel = `${db.name}_silent`;
    const received: string[] = [];
    let reconnected = 0;
    await hub.listen(
      channel,
      (payload) => received.push(payload),
      () => {
        reconnected += 1;
      },
    );
    try {
      await db.admin.query('select pg_notify($1, $2)', [channel, 'before']);
      for (let i = 0; i < 40 && received.length === 0; i += 1) await sleep(25);
      expect(received).toEqual(['before']);
      // The network eats everything on the open connection from now on; new connections pass.
      proxy.freezeOpen();
      const frozenAt = Date.now();
      while (reconnected === 0 && Date.now() - frozenAt < 10_000) await sleep(25);
      const replacedAfter = Date.now() - frozenAt;
      process.stderr.write(`dbres: silent LISTEN connection replaced after ${replacedAfter} ms\n`);
      expect(reconnected).toBe(1);
      expect(replacedAfter).toBeLessThan(5000);
      await db.admin.query('select pg_notify($1, $2)', [channel, 'after']);
      for (let i = 0; i < 40 && received.length < 2; i += 1) await sleep(25);
      expect(received).toEqual(['before', 'after']);
      expect(warnings.join('\n')).toMatch(/LISTEN connection lost/);
    } finally {
      await hub.close();
      proxy.close();
    }
  }, 30_000);
});
