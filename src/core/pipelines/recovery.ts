/**
 * Recovery after a restart: what a previous process left queued or running is resumed, or failed when it
 * was tried too often. With a shared queue, the queue itself hands an interrupted job to another
 * instance; this only re-queues pipelines that lost their job, and fails those whose job already ended.
 * @module
 */
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PipelineQueue, PipelineRecord, PipelineRepository, PipelineStatus } from './types.js';

export interface RecoveryDeps {
  repo: PipelineRepository;
  queue: PipelineQueue;
  log: Logger;
  maxAttempts: number;
  maxRunMs: number;
  now: () => Date;
  /** Marks a pipeline queued again (stored and announced). */
  requeue: (record: PipelineRecord) => Promise<void>;
  /** Fails a pipeline (only while in `from`, when given); false when it had moved on. */
  fail: (record: PipelineRecord, error: AppError, from?: readonly PipelineStatus[]) => Promise<boolean>;
}

export async function recoverPipelines(deps: RecoveryDeps): Promise<{ resumed: number; failed: number }> {
  if (deps.queue.shared) return recoverShared(deps);
  let resumed = 0;
  let failed = 0;
  for (const record of await deps.repo.listUnfinished()) {
    if (record.kind !== 'image') {
      await deps.fail(record, new AppError('The server restarted while this ran. Call it again.'));
      failed += 1;
    } else if (record.attempts >= deps.maxAttempts) {
      const error = new AppError(
        `The server was interrupted ${record.attempts} times while making this image; it was not retried again. Nothing was billed for an image that was not stored. Call generate_image again.`,
      );
      await deps.fail(record, error);
      failed += 1;
    } else {
      await deps.requeue(record);
      await deps.queue.push([{ id: record.id, ownerId: record.ownerId }]);
      resumed += 1;
    }
  }
  if (resumed + failed > 0) deps.log.info({ resumed, failed }, 'pipelines recovered after a restart');
  return { resumed, failed };
}

/**
 * Shared queue: re-queues an image pipeline whose job is missing, fails one whose job ended (retries used
 * up) or a concept pipeline left silent. With `staleMs` (the periodic sweep), only rows that did not
 * change for that long, so nothing in flight is touched.
 */
export async function recoverShared(deps: RecoveryDeps, staleMs = 0): Promise<{ resumed: number; failed: number }> {
  let resumed = 0;
  let failed = 0;
  const before = deps.now().getTime() - staleMs;
  for (const record of await deps.repo.listUnfinished()) {
    if (Date.parse(record.updatedAt) > before) continue;
    const state = (await deps.queue.jobState?.(record.id)) ?? 'missing';
    if (state === 'missing' && record.kind === 'image') {
      await deps.queue.push([{ id: record.id, ownerId: record.ownerId }]);
      resumed += 1;
    } else if (state === 'ended' || (state === 'missing' && abandoned(record, deps))) {
      const error = new AppError('The server running this was interrupted and it could not be resumed. Call it again.');
      if (await deps.fail(record, error, ['queued', 'running'])) failed += 1;
    }
  }
  if (resumed + failed > 0) deps.log.info({ resumed, failed }, 'pipelines recovered from the shared queue');
  return { resumed, failed };
}

/** A concept pipeline runs inside its request; one silent for longer than a run may take has lost it. */
function abandoned(record: PipelineRecord, deps: RecoveryDeps): boolean {
  return Date.parse(record.updatedAt) < deps.now().getTime() - deps.maxRunMs;
}
