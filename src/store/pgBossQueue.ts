/**
 * The shared pipeline queue: pg-boss in the studio's PostgreSQL database. Any instance may run any
 * pipeline; a running job holds a lease renewed by heartbeats, and when its instance dies the lease runs
 * out and pg-boss hands the job to another instance. Job ids are derived from pipeline ids, so queueing
 * a pipeline twice (a recovery racing a submit) makes one job.
 * @module
 */
import { createHash } from 'node:crypto';
import type { PipelineQueue, QueueItem, RunOutcome } from '../core/pipelines/types.js';
import { type ConcurrencySlots, createConcurrencySlots } from './concurrencySlots.js';
import type { ListenerHub } from './listenerHub.js';

export const PIPELINE_QUEUE = 'pipelines';

export interface PgBossQueueOptions {
  /** The instance's query pool: pg-boss opens no connection of its own. */
  pool: import('pg').Pool;
  /** The instance's one LISTEN connection, where pg-boss hears about new jobs. */
  hub: ListenerHub;
  instanceId: string;
  /** The PostgreSQL schema pg-boss keeps its tables in. */
  schema: string;
  /** Jobs this instance runs at once. */
  concurrency: number;
  /** Jobs all instances together run at once (unlimited when absent). */
  totalConcurrency?: number;
  /** A job whose instance sent no heartbeat for this long is handed to another instance (at least 10). */
  leaseSeconds: number;
  /** The longest a run may take; the queue's own hard limit is a minute more. */
  maxRunSeconds: number;
  /** Deliveries of one job, hand-backs and lost leases included, before pg-boss gives up on it. */
  maxDeliveries: number;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

interface JobData {
  pipelineId: string;
  ownerId: string;
}

type Boss = import('pg-boss').PgBoss;

export async function createPgBossQueue(options: PgBossQueueOptions): Promise<PipelineQueue> {
  const { PgBoss } = await import('pg-boss');
  const { pool, hub } = options;
  const boss: Boss = new PgBoss({
    // pg-boss's adapter interface: statements on our pool (one statement each, transactions included:
    // pg-boss sends them as one multi-statement text), LISTEN on the shared connection.
    db: {
      executeSql: (text: string, values?: unknown[]) => pool.query(text, values as unknown[]),
      listen: (channel: string, onNotification: (payload: string) => void, onReconnect: () => void) =>
        hub.listen(channel, onNotification, onReconnect),
    },
    schema: options.schema,
    useListenNotify: true,
    schedule: false,
    // Lost leases are found by the monitor: check often enough that a dead instance's jobs move on soon.
    monitorIntervalSeconds: Math.max(1, Math.floor(options.leaseSeconds / 2)),
    superviseIntervalSeconds: Math.max(1, Math.floor(options.leaseSeconds / 2)),
  });
  boss.on('error', (err) => options.log.error({ err }, 'pipeline queue error'));
  boss.on('warning', (warning) => options.log.warn({ warning }, 'pipeline queue warning'));
  let started = false;
  const group = options.totalConcurrency ? { id: 'all' } : undefined;
  let slots: ConcurrencySlots | undefined;
  /** Busy workers skip their polling pause once they finish: a finished job means the queue may have more. */
  const wakeBusyWorkers = () => {
    for (const worker of boss.getWipData())
      if (worker.name === PIPELINE_QUEUE && worker.count > 0) boss.notifyWorker(worker.id);
  };

  return {
    shared: true,

    async start(run) {
      await boss.start();
      started = true;
      if (options.totalConcurrency)
        slots = await createConcurrencySlots({
          query: (text, values) => pool.query(text, values),
          schema: options.schema,
          total: options.totalConcurrency,
          leaseSeconds: options.leaseSeconds,
          instanceId: options.instanceId,
          log: options.log,
        });
      await boss.createQueue(PIPELINE_QUEUE, {
        heartbeatSeconds: Math.max(10, Math.round(options.leaseSeconds)),
        expireInSeconds: Math.ceil(options.maxRunSeconds) + 60,
        retryLimit: options.maxDeliveries,
        retryDelay: 0,
        notify: true,
        deleteAfterSeconds: 86_400,
      });
      await boss.work<JobData>(
        PIPELINE_QUEUE,
        {
          localConcurrency: options.concurrency,
          batchSize: 1,
          // NOTIFY wakes workers for new jobs, not for a slot freed elsewhere: poll faster under a total limit.
          pollingIntervalSeconds: options.totalConcurrency ? 1 : 2,
          notifyPollingIntervalSeconds: options.totalConcurrency ? 1 : 5,
          ...(options.totalConcurrency ? { groupConcurrency: options.totalConcurrency } : {}),
        },
        async ([job]) => {
          if (!job) return;
          let outcome: RunOutcome;
          const release = await slots?.acquire(job.signal);
          try {
            outcome = await run({ id: job.data.pipelineId, ownerId: job.data.ownerId }, job.signal);
          } finally {
            // A release that fails (the database is away) frees the slot when its lease runs out.
            await release?.().catch((err) => options.log.warn({ err }, 'could not release a concurrency slot'));
            wakeBusyWorkers();
          }
          // A hand-back fails the delivery, so pg-boss offers the job again at once (to another instance).
          if (outcome === 'handback') throw new Error('handed back by an instance shutting down');
          // A run that could not record its end: fail the delivery, so the job runs again (up to maxDeliveries).
          if (outcome === 'retry') throw new Error('the run hit a passing failure; retrying');
        },
      );
    },

    async push(items: QueueItem[]) {
      if (items.length === 0) return;
      await boss.insert(
        PIPELINE_QUEUE,
        items.map((item) => ({
          id: jobIdOf(item.id),
          data: { pipelineId: item.id, ownerId: item.ownerId } satisfies JobData,
          // Higher runs first: an owner's n-th waiting pipeline goes behind everyone's first.
          priority: -(item.rank ?? 0),
          ...(group ? { group } : {}),
        })),
      );
    },

    async remove(id) {
      const result = (await boss.cancel(PIPELINE_QUEUE, jobIdOf(id))) as { affected?: number };
      return (result.affected ?? 0) > 0;
    },

    async stop() {
      if (!started) return;
      started = false;
      // Stop fetching, wait for the handlers (the engine aborts them after its grace period), then close.
      await boss.offWork(PIPELINE_QUEUE, { wait: true });
      await boss.stop({ graceful: true, timeout: 5_000, close: true });
      await slots?.close();
    },

    async jobState(id) {
      const [job] = await boss.findJobs(PIPELINE_QUEUE, { id: jobIdOf(id) });
      if (!job) return 'missing';
      if (job.state === 'active') return 'active';
      if (job.state === 'created' || job.state === 'retry') return 'waiting';
      return 'ended';
    },
  };
}

/** A UUID (pg-boss ids are UUIDs) derived from the pipeline id. */
export function jobIdOf(pipelineId: string): string {
  const hex = createHash('sha256').update(`pipeline:${pipelineId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
