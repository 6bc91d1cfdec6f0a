/**
 * Scale-out: three real server processes over HTTP on loopback ports share one PostgreSQL schema (pipelines
 * on the pg-boss queue, LISTEN/NOTIFY between them) and one S3-compatible bucket (s3rver). Pipelines are
 * created on one instance, run by any and fetched on another; an instance SIGKILLed in the middle of jobs
 * loses none; a cancel reaches the instance running the pipeline; a graceful stop hands work back; links
 * made by one instance are served by another.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator, withLatency } from './helpers/emulator.js';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { startS3rver } from './helpers/s3rver.js';
import { type StudioProcess, snapshotOf, startStudio } from './helpers/studio.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;
const BUCKET = 'scale-test';
const LINK_SECRET = 'a-link-secret-shared-by-every-instance';

type Snapshot = {
  pipeline_id: string;
  status: string;
  results: Array<{ image_id: string; url?: string }>;
  error?: { code: string; message: string };
};
type ToolResult = { content: unknown[]; isError?: boolean; structuredContent?: Record<string, unknown> };

describe.skipIf(!BASE_URL)('three instances on one PostgreSQL and one bucket (needs STUDIO_TEST_DATABASE_URL)', () => {
  let db: TestSchema;
  let emu: Emulator;
  let s3rver: ChildProcess;
  let s3Dir: string;
  let s3Endpoint: string;
  const instances = new Map<string, StudioProcess>();

  /** The studio's database URL: its connections carry this run's name (`<schema>-query`, `<schema>-listen`). */
  const studioUrl = () => {
    const url = new URL(db.url);
    url.searchParams.set('application_name', db.name);
    return url.toString();
  };
  const envFor = (name: string, extra: Record<string, string> = {}): Record<string, string> => ({
    STUDIO_DATABASE_URL: studioUrl(),
    STUDIO_INSTANCE_NAME: name,
    STUDIO_LEASE_SECONDS: '10',
    STUDIO_CONCURRENCY: '3',
    STUDIO_SHUTDOWN_GRACE_SECONDS: '0',
    STUDIO_BLOB_URL: `s3://${BUCKET}/studio`,
    STUDIO_S3_ENDPOINT: s3Endpoint,
    STUDIO_IMAGE_LINKS: 'proxied',
    STUDIO_LINK_SECRET: LINK_SECRET,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    STUDIO_LOG_LEVEL: 'info',
    // Small, fast images: 512 px exists only on nb2 (3.1 Flash Image), kept served here on both sides.
    STUDIO_MODEL_NB2_SHUTDOWN: 'none',
    ...extra,
  });
  const start = async (name: string, extra: Record<string, string> = {}) => {
    const studio = await startStudio('http', { geminiUrl: emu.url, env: envFor(name, extra) });
    instances.set(name, studio);
    return studio;
  };
  const instance = (name: string) => instances.get(name) as StudioProcess;
  const call = async (name: string, tool: string, args: Record<string, unknown>) =>
    (await instance(name).client.callTool({ name: tool, arguments: args })) as ToolResult;
  const startAsync = async (name: string, prompt: string, n = 1): Promise<string[]> => {
    const result = await call(name, 'generate_image_async', { prompt, n, model: 'nb2', image_size: '512' });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    return (result.structuredContent as { pipeline_ids: string[] }).pipeline_ids;
  };
  const waitFor = async (name: string, id: string, seconds = 120): Promise<Snapshot> => {
    for (;;) {
      const result = await call(name, 'get_image', { pipeline_id: id, wait_seconds: Math.min(seconds, 270) });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const snapshot = snapshotOf(result) as Snapshot;
      if (!['queued', 'running'].includes(snapshot.status)) return snapshot;
    }
  };
  /** Waits (up to 10 s) until some of `ids` run, on instance `name` when given; returns them. */
  const untilRunning = async (ids: string[], name?: string) => {
    for (let i = 0; i < 100; i += 1) {
      const running = (await rows(ids)).filter(
        (r) => r.status === 'running' && r.run_by && (!name || r.run_by === name),
      );
      if (running.length > 0) return running;
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  };
  /** Runs `body` while every instance's LISTEN connection is killed again and again (signals get lost). */
  const whileListenersDrop = async (body: () => Promise<void>) => {
    let dropping = true;
    const drops = (async () => {
      while (dropping) {
        await db.admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()`,
          [`${db.name}-listen`],
        );
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    try {
      await body();
    } finally {
      dropping = false;
      await drops;
    }
  };
  /**
   * Long-polls the pipeline on an instance that does not run it (that one knows without signals) until it
   * completes; `wake` is how long after the pipeline finished the answer arrived.
   */
  const waitElsewhere = async (id: string) => {
    const runner = (await untilRunning([id]))[0]?.run_by;
    const snapshot = await waitFor(['a', 'b', 'c'].find((n) => n !== runner) as string, id);
    const answeredAt = Date.now();
    expect(snapshot.status).toBe('completed');
    const finished = await db.admin.query<{ finished_at: string }>(
      `select finished_at from ${db.name}.pipelines where id = $1`,
      [id],
    );
    return { wake: answeredAt - Date.parse(finished.rows[0]?.finished_at as string), answeredAt };
  };
  const rows = async (ids: string[]) =>
    (
      await db.admin.query<{ id: string; status: string; run_by: string | null; attempts: number }>(
        `select id, status, run_by, attempts from ${db.name}.pipelines where id = any($1)`,
        [ids],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestSchema(BASE_URL as string, 'scale');
    // Before 3.1 Flash Image's shutdown (2026-10-29), so its 512 px tier can keep these tests light.
    emu = await startEmulator({ startAt: '2026-10-20T00:00:00Z' });
    s3Dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-scale-s3-'));
    const s3 = await startS3rver(s3Dir, BUCKET);
    s3rver = s3.child;
    s3Endpoint = `http://127.0.0.1:${s3.port}`;
    const migrated = await runCli(['migrate'], {
      env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
    });
    expect(migrated.code, migrated.stderr).toBe(0);
    await Promise.all(['a', 'b', 'c'].map((name) => start(name)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...instances.values()].map((s) => s.close({ removeData: true }).catch(() => undefined)));
    if (s3rver && s3rver.exitCode === null) {
      const exited = new Promise((resolve) => s3rver.once('exit', resolve));
      s3rver.kill('SIGTERM');
      await exited;
    }
    await emu?.close();
    if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('runs pipelines created on the first instance on several instances, and the third fetches them', async () => {
    await withLatency(emu, 800, async () => {
      const ids = await startAsync('a', 'scale: created on a, fetched on c', 4);
      ids.push(...(await startAsync('a', 'scale: a second batch on a', 4)));
      const snapshots = await Promise.all(ids.map((id) => waitFor('c', id)));
      expect(snapshots.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
      const ran = await rows(ids);
      const runners = new Set(ran.map((r) => r.run_by));
      // Eight pipelines of 800 ms, three at a time per instance: the first instance cannot take them all.
      expect(runners.size, `run by ${[...runners].join(', ')}`).toBeGreaterThanOrEqual(2);
      for (const r of runners) expect(['a', 'b', 'c']).toContain(r);

      // The link made for the image is served by any instance (proxied from the bucket, signed).
      const url = snapshots[0]?.results[0]?.url as string;
      expect(url).toMatch(/\/i\/img_/);
      for (const name of ['a', 'b', 'c']) {
        const onOther = new URL(new URL(url).pathname + new URL(url).search, instance(name).url);
        const response = await fetch(onOther);
        expect(response.status, `${name}: ${onOther}`).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^image\//);
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
    });
  }, 180_000);

  it('a long-poll on one instance wakes when another instance finishes the pipeline', async () => {
    await withLatency(emu, 1500, async () => {
      const [id] = await startAsync('b', 'scale: long-poll across instances');
      const waited = Date.now();
      const { wake, answeredAt } = await waitElsewhere(id as string);
      // LISTEN/NOTIFY wakes it within milliseconds; the polling fallback would take up to 2 s.
      expect(wake, `woke ${wake} ms after the pipeline finished`).toBeLessThan(1000);
      expect(answeredAt - waited).toBeGreaterThanOrEqual(1400);
    });
  }, 60_000);

  it('a long-poll still wakes when the LISTEN connections keep dropping (polling fallback)', async () => {
    await withLatency(emu, 2500, async () => {
      const [id] = await startAsync('b', 'scale: long-poll without signals');
      // The pipeline's changes are not signalled: the waiter on the other instance has to find them by reading.
      await whileListenersDrop(async () => {
        const { wake } = await waitElsewhere(id as string);
        // Read every 2 s while the connection is down, and at once when it is back.
        expect(wake, `woke ${wake} ms after the pipeline finished`).toBeLessThan(3000);
      });
    });
  }, 60_000);

  it('a cancel reaches the running instance when the LISTEN connections keep dropping', async () => {
    await withLatency(emu, 20_000, async () => {
      const [id] = await startAsync('a', 'scale: cancelled without signals');
      const runner = (await untilRunning([id as string]))[0]?.run_by;
      const other = ['a', 'b', 'c'].find((n) => n !== runner) as string;
      await whileListenersDrop(async () => {
        const began = Date.now();
        const result = await call(other, 'cancel_pipeline', { pipeline_id: id });
        expect((result.structuredContent as Snapshot).status).toBe('cancelled');
        // The running instance reads the request (every 2 s while its connection is down), not after 20 s.
        expect(Date.now() - began).toBeLessThan(5000);
      });
    });
  }, 60_000);

  it('cancels from one instance a pipeline running on another', async () => {
    await withLatency(emu, 20_000, async () => {
      const [id] = await startAsync('a', 'scale: cancelled across instances');
      const runner = (await untilRunning([id as string]))[0]?.run_by;
      expect(runner).toBeDefined();
      const other = ['a', 'b', 'c'].find((n) => n !== runner) as string;
      const began = Date.now();
      const result = await call(other, 'cancel_pipeline', { pipeline_id: id });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect((result.structuredContent as Snapshot).status).toBe('cancelled');
      // Not after the 20 s Gemini call: the running instance aborted it.
      expect(Date.now() - began).toBeLessThan(5000);
    });
  }, 60_000);

  it('every job completes when an instance is SIGKILLed in the middle of them', async () => {
    try {
      await withLatency(emu, 3000, async () => {
        const ids: string[] = [];
        for (const name of ['a', 'b', 'c']) ids.push(...(await startAsync(name, `scale: crash test from ${name}`, 4)));
        // Kill an instance while it holds running pipelines.
        expect((await untilRunning(ids, 'b')).length).toBeGreaterThan(0);
        const heldByVictim = (await rows(ids))
          .filter((r) => r.status === 'running' && r.run_by === 'b')
          .map((r) => r.id);
        instance('b').kill();
        instances.delete('b');
        const snapshots = await Promise.all(ids.map((id) => waitFor('c', id, 200)));
        expect(snapshots.map((s) => `${s.pipeline_id}:${s.status}:${s.error?.message ?? ''}`)).toEqual(
          ids.map((id) => `${id}:completed:`),
        );
        // What the dead instance held was run again elsewhere, after its lease ran out.
        const after = await rows(heldByVictim);
        for (const r of after) {
          expect(r.run_by).not.toBe('b');
          expect(r.attempts).toBeGreaterThanOrEqual(2);
        }
        // One image per pipeline, however often it ran.
        const images = await db.admin.query<{ n: string }>(
          `select count(*) as n from ${db.name}.images where id in (select result_image_id from ${db.name}.pipelines where id = any($1))`,
          [ids],
        );
        expect(Number(images.rows[0]?.n)).toBe(ids.length);
      });
    } finally {
      if (!instances.has('b')) await start('b');
    }
  }, 240_000);

  it('a graceful stop hands running pipelines back, and another instance finishes them', async () => {
    try {
      await withLatency(emu, 4000, async () => {
        // More than the other two instances can take (3 each), so that this one holds some.
        const ids: string[] = [];
        for (let i = 0; i < 4; i += 1) ids.push(...(await startAsync('c', `scale: handed back on shutdown ${i}`, 3)));
        const held = (await untilRunning(ids, 'c')).map((r) => r.id);
        expect(held.length).toBeGreaterThan(0);
        await instance('c').close();
        instances.delete('c');
        // Grace 0: it handed its pipelines back at once instead of waiting for Gemini (below: none of
        // them was finished by 'c', and none counts a failed attempt).
        const snapshots = await Promise.all(ids.map((id) => waitFor('a', id)));
        expect(snapshots.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
        for (const r of await rows(held)) {
          expect(r.run_by).not.toBe('c');
          // A hand-back is not a failed attempt.
          expect(r.attempts).toBe(1);
        }
      });
    } finally {
      if (!instances.has('c')) await start('c');
    }
  }, 120_000);

  it('a stopping instance takes no new work and finishes what it runs within the grace period', async () => {
    await instance('c').close();
    instances.delete('c');
    const graceful = await start('c', { STUDIO_SHUTDOWN_GRACE_SECONDS: '30' });
    try {
      await withLatency(emu, 2500, async () => {
        const ids: string[] = [];
        for (let i = 0; i < 4; i += 1) ids.push(...(await startAsync('c', `scale: finished within grace ${i}`, 3)));
        let held = (await untilRunning(ids, 'c')).map((r) => r.id);
        expect(held.length).toBeGreaterThan(0);
        // Given longer than its 30 s grace to exit by itself (the helper's SIGKILL after 5 s cut the
        // pipelines it was finishing when the machine was loaded).
        await graceful.close({ killAfterMs: 45_000 });
        const exitedAt = Date.now();
        instances.delete('c');
        // When it began to stop is the server's own log line (logged as the signal arrives), not the
        // test's clock before close(): the client's goodbye and the signal come later than that.
        const stopping = graceful.logLines().find((l) => l.msg === 'shutting down');
        expect(stopping, graceful.stderr()).toMatchObject({ signal: 'SIGTERM', graceSeconds: 30 });
        const stoppingAt = new Date(stopping?.time ?? Number.NaN).toISOString();
        held = (await rows(ids)).filter((r) => r.run_by === 'c').map((r) => r.id);
        // It waited for its Gemini calls (2.5 s) instead of handing them back, and then exited, before its
        // grace period was over.
        expect(exitedAt - (stopping?.time ?? 0)).toBeGreaterThan(1000);
        expect(exitedAt - (stopping?.time ?? 0)).toBeLessThan(30_000);
        for (const r of await rows(held))
          expect(r, graceful.stderr().slice(-2000)).toMatchObject({ status: 'completed', run_by: 'c', attempts: 1 });
        const snapshots = await Promise.all(ids.map((id) => waitFor('a', id)));
        expect(snapshots.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
        // Whatever was still waiting went to the other instances, not to the stopping one.
        const late = await db.admin.query<{ run_by: string }>(
          `select run_by from ${db.name}.pipelines where id = any($1) and started_at > $2`,
          [ids, stoppingAt],
        );
        for (const r of late.rows) expect(r.run_by).not.toBe('c');
      });
    } finally {
      if (!instances.has('c')) await start('c');
    }
  }, 120_000);

  it('30 concurrent calls of one user over three instances never overspend the budget by more than one estimate', async () => {
    const spent = async () =>
      Number(
        (
          await db.admin.query<{ usd: number | null }>(
            `select sum(cost_usd) as usd from ${db.name}.ledger where owner_id = 'local'`,
          )
        ).rows[0]?.usd ?? 0,
      );
    // Nothing of the earlier tests still in flight (its reservation would count against the budget).
    for (let i = 0; i < 300; i += 1) {
      const { rows: live } = await db.admin.query<{ n: string }>(
        `select count(*) as n from ${db.name}.pipelines where status in ('queued', 'running')`,
      );
      if (Number(live[0]?.n) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = await spent();
    const estimate = 0.045; // nb2 at 512 px, the list price the reservation uses
    const cap = Math.round((before + 0.5) * 100) / 100;
    const set = await runCli(['budget', 'set', '--daily', String(cap)], {
      env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
    });
    expect(set.code, set.stderr).toBe(0);
    try {
      await withLatency(emu, 300, async () => {
        const names = ['a', 'b', 'c'];
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            call(names[i % 3] as string, 'generate_image', {
              prompt: `scale: budget ${i}`,
              model: 'nb2',
              image_size: '512',
            }),
          ),
        );
        const ok = results.filter((r) => !r.isError);
        const refused = results.filter((r) => r.isError);
        const after = await spent();
        expect(after - before).toBeLessThanOrEqual(cap - before + estimate + 1e-9);
        // The budget allows about 11 of them: most are refused, and every refusal says why and until when.
        expect(ok.length).toBeGreaterThanOrEqual(10);
        expect(ok.length).toBeLessThanOrEqual(12);
        expect(refused.length).toBe(30 - ok.length);
        for (const r of refused) expect(JSON.stringify(r.content)).toMatch(/daily budget/i);
      });
    } finally {
      await runCli(['budget', 'set', '--daily', 'none'], {
        env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
      });
    }
  }, 120_000);

  it('the rate limit holds across instances', async () => {
    const env = { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url };
    expect((await runCli(['budget', 'set', '--rpm', '6'], { env })).code).toBe(0);
    try {
      const names = ['a', 'b', 'c'];
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          call(names[i % 3] as string, 'generate_image_async', {
            prompt: `scale: rate ${i}`,
            model: 'nb2',
            image_size: '512',
          }),
        ),
      );
      expect(results.filter((r) => !r.isError).length).toBe(6);
      for (const r of results.filter((r) => r.isError)) expect(JSON.stringify(r.content)).toMatch(/Try again in/);
    } finally {
      await runCli(['budget', 'set', '--rpm', 'none'], { env });
    }
  }, 60_000);

  it('holds the total concurrency across instances', async () => {
    await Promise.all(
      [...instances.keys()].map(async (name) => {
        await instance(name).close({ removeData: true });
        instances.delete(name);
      }),
    );
    await Promise.all(['t1', 't2'].map((name) => start(name, { STUDIO_TOTAL_CONCURRENCY: '2' })));
    emu.reset();
    await withLatency(emu, 600, async () => {
      const ids = [
        ...(await startAsync('t1', 'scale: total concurrency from t1', 4)),
        ...(await startAsync('t2', 'scale: total concurrency from t2', 4)),
      ];
      const snapshots = await Promise.all(ids.map((id) => waitFor('t2', id)));
      expect(snapshots.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
      // Three slots per instance, six in all, but never more than two Gemini calls at once.
      expect(emu.stats().maxInFlight).toBe(2);
    });
  }, 120_000);
});
