/**
 * Everything several instances need to share pipelines on one PostgreSQL database: the pg-boss queue, the
 * LISTEN/NOTIFY signals and the channel the repository announces changes on. Names are derived from the
 * connection's schema, so deployments (and test runs) in different schemas of one database stay apart.
 * @module
 */
import { type Kysely, sql } from 'kysely';
import type { PipelineQueue, PipelineSignals } from '../core/pipelines/types.js';
import { createPgBossQueue, type PgBossQueueOptions } from './pgBossQueue.js';
import { listenForPipelineSignals } from './pipelineSignals.js';
import type { DB } from './schema.js';

export interface SharedPipelines {
  queue: PipelineQueue;
  signals: PipelineSignals;
  /** Pass to `createPipelineRepository` so every change is announced. */
  notify: { channel: string; instanceId: string };
  queueSchema: string;
  close(): Promise<void>;
}

export async function openSharedPipelines(
  db: Kysely<DB>,
  options: Omit<PgBossQueueOptions, 'schema'> & { instanceId: string },
): Promise<SharedPipelines> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? 'public';
  const queueSchema = schema === 'public' ? 'nanobanana_queue' : `${schema}_queue`;
  const channel = `nanobanana_pipelines_${schema}`.slice(0, 63);
  const signals = await listenForPipelineSignals({ url: options.url, channel, log: options.log });
  const queue = await createPgBossQueue({ ...options, schema: queueSchema });
  return {
    queue,
    signals,
    notify: { channel, instanceId: options.instanceId },
    queueSchema,
    close: () => signals.close(),
  };
}
