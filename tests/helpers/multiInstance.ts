/**
 * Several real studio processes over HTTP on one PostgreSQL schema, each tagging its connections with
 * its own `application_name` (`<schema>_<name>-query`, `-listen`), so a test can count, terminate or
 * watch the connections of its own instances and never anyone else's on a shared server.
 * @module
 */
import { expect } from 'vitest';
import type { Emulator } from './emulator.js';
import type { TestSchema } from './pgSchema.js';
import { runCli } from './runCli.js';
import { type PipelineSnapshot, type StudioProcess, snapshotOf, startStudio } from './studio.js';

export type Snapshot = PipelineSnapshot;
type ToolResult = { content: unknown[]; isError?: boolean; structuredContent?: Record<string, unknown> };

export interface Fleet {
  instances: Map<string, StudioProcess>;
  /** The application_name base of instance `name`'s connections. */
  appName(name: string): string;
  /** A LIKE pattern for the connections of every instance of this fleet. */
  pattern: string;
  start(name: string, extra?: Record<string, string>): Promise<StudioProcess>;
  call(name: string, tool: string, args: Record<string, unknown>): Promise<ToolResult>;
  startAsync(name: string, prompt: string, n?: number): Promise<string[]>;
  waitFor(name: string, id: string, seconds?: number): Promise<Snapshot>;
  /** Connections of the fleet's instances now, by application_name. */
  connections(): Promise<Map<string, number>>;
  /** Terminates the fleet's backends whose application_name matches `suffix` (all of them when omitted). */
  terminate(suffix?: string): Promise<number>;
  close(): Promise<void>;
}

/** Before 3.1 Flash Image's shutdown (2026-10-29), so its 512 px tier can keep the fleet's images light. */
export const FLEET_EMULATOR_START = '2026-10-20T00:00:00Z';

export async function migrateSchema(db: TestSchema): Promise<void> {
  const migrated = await runCli(['migrate'], {
    env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
  });
  expect(migrated.code, migrated.stderr).toBe(0);
}

/**
 * Instances on `db`, sharing one data folder (`dataDir`: one machine, so one local blob folder serves
 * them all, as a shared volume would).
 */
export function fleetOn(
  db: TestSchema,
  emu: Emulator,
  dataDir: string,
  baseEnv: Record<string, string> = {},
  url = db.url,
): Fleet {
  const instances = new Map<string, StudioProcess>();
  const appName = (name: string) => `${db.name}_${name}`;
  const call = async (name: string, tool: string, args: Record<string, unknown>) =>
    (await (instances.get(name) as StudioProcess).client.callTool({ name: tool, arguments: args })) as ToolResult;
  const fleet: Fleet = {
    instances,
    appName,
    pattern: `${db.name}\\_%`,
    async start(name, extra = {}) {
      const studioUrl = new URL(url);
      studioUrl.searchParams.set('application_name', appName(name));
      const studio = await startStudio('http', {
        geminiUrl: emu.url,
        dataDir,
        env: {
          STUDIO_DATABASE_URL: studioUrl.toString(),
          STUDIO_INSTANCE_NAME: name,
          STUDIO_LEASE_SECONDS: '10',
          STUDIO_CONCURRENCY: '4',
          STUDIO_SHUTDOWN_GRACE_SECONDS: '0',
          STUDIO_LOG_LEVEL: 'info',
          ...baseEnv,
          ...extra,
        },
      });
      instances.set(name, studio);
      return studio;
    },
    call,
    async startAsync(name, prompt, n = 1) {
      // Small, fast images: 512 px exists only on nb2 (3.1 Flash Image); the fleet's emulator starts before
      // its shutdown (FLEET_EMULATOR_START), as in scaleOut.spec.ts.
      const result = await call(name, 'generate_image_async', { prompt, n, model: 'nb2', image_size: '512' });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      return (result.structuredContent as { pipeline_ids: string[] }).pipeline_ids;
    },
    async waitFor(name, id, seconds = 120) {
      for (;;) {
        const result = await call(name, 'get_image', { pipeline_id: id, wait_seconds: Math.min(seconds, 270) });
        expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
        // Once done, get_image answers with the image and its text only (no structuredContent).
        const snapshot = snapshotOf(result);
        if (!['queued', 'running'].includes(snapshot.status)) return snapshot;
      }
    },
    async connections() {
      const { rows } = await db.admin.query<{ application_name: string; n: string }>(
        `select application_name, count(*) as n from pg_stat_activity where application_name like $1 group by 1`,
        [fleet.pattern],
      );
      return new Map(rows.map((r) => [r.application_name, Number(r.n)]));
    },
    async terminate(suffix = '') {
      const { rows } = await db.admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where application_name like $1 and application_name like $2 and pid <> pg_backend_pid()`,
        [fleet.pattern, `%${suffix}`],
      );
      return rows.length;
    },
    async close() {
      await Promise.all([...instances.values()].map((s) => s.close().catch(() => undefined)));
      instances.clear();
    },
  };
  return fleet;
}
