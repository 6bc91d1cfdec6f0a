/**
 * Everything several instances need to share pipelines on one PostgreSQL database: the pg-boss queue, the
 * LISTEN/NOTIFY signals and the channel the repository announces changes on. Names are derived from the
 * connection's schema, so deployments (and test runs) in different schemas of one database stay apart.
 *
 * Connections: everything runs on the instance's query pool (pg-boss included) except one LISTEN
 * connection, shared by the signals and the queue's wake-ups.
 * @module
 */
import { type Kysely, sql } from 'kysely';
import type { PipelineQueue, PipelineSignals } from '../core/pipelines/types.js';
import { type ListenerHub, openListenerHub } from './listenerHub.js';
import { createPgBossQueue, type PgBossQueueOptions } from './pgBossQueue.js';
import { listenForPipelineSignals } from './pipelineSignals.js';
import type { DB } from './schema.js';

export interface SharedPipelines {
  queue: PipelineQueue;
  signals: PipelineSignals;
  /** Pass to `createPipelineRepository` so every change is announced. */
  notify: { channel: string; instanceId: string };
  queueSchema: string;
  /** The one LISTEN connection (its heartbeat and reconnections). */
  hub: ListenerHub;
  close(): Promise<void>;
}

export async function openSharedPipelines(
  db: Kysely<DB>,
  options: Omit<PgBossQueueOptions, 'schema' | 'hub'> & {
    /** Where the LISTEN connection connects (straight to PostgreSQL, not through a transaction-mode pooler). */
    url: string;
    log: PgBossQueueOptions['log'] & { info?(obj: object, msg: string): void };
  },
): Promise<SharedPipelines> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? 'public';
  const queueSchema = schema === 'public' ? 'nanobanana_queue' : `${schema}_queue`;
  const channel = `nanobanana_pipelines_${schema}`.slice(0, 63);
  const hub = await openListenerHub({ url: options.url, log: options.log });
  try {
    const signals = await listenForPipelineSignals({
      hub,
      channel,
      query: (text, values) => options.pool.query(text, values),
    });
    const queue = await createPgBossQueue({ ...options, hub, schema: queueSchema });
    return {
      queue,
      signals,
      notify: { channel, instanceId: options.instanceId },
      queueSchema,
      hub,
      close: async () => {
        await signals.close();
        await hub.close();
      },
    };
  } catch (error) {
    await hub.close();
    throw error;
  }
}
