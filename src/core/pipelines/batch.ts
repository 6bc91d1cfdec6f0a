/**
 * One call's worth of image pipelines, run to the end (or a deadline): submit, follow every change, cancel
 * them all when the caller goes away, and sort what came out. Shared by the MCP image tools and the
 * command line.
 * @module
 */
import type { CallNotice } from '../callNotices.js';
import { CancelledError } from '../errors.js';
import { type Caller, isTerminal, type PipelineEngine } from './engine.js';
import type { ImagePipelineSpec } from './spec.js';
import type { PipelineRecord } from './types.js';

export interface BatchOptions {
  /** How long to wait before handing back what is still running. */
  timeoutMs: number;
  /** Aborting cancels every pipeline of the batch; the call then throws a CancelledError. */
  signal?: AbortSignal;
  /** Every change to one of the batch's pipelines, with its position in the batch. */
  onChange?: (record: PipelineRecord, index: number) => void;
  /** What a pipeline of the batch says on the way (retries, fallbacks), with its position in the batch. */
  onNotice?: (notice: CallNotice, index: number) => void;
}

export interface BatchOutcome {
  /** The state of each pipeline when the wait ended, in the order of the specs. */
  records: PipelineRecord[];
  completed: PipelineRecord[];
  /** Failed or cancelled. */
  failed: PipelineRecord[];
  /** Still queued or running at the deadline. */
  running: PipelineRecord[];
}

/** The largest delay setTimeout honours (about 24.8 days); longer ones fire at once. */
export const NO_DEADLINE_MS = 2_147_483_647;

export async function runBatch(
  engine: PipelineEngine,
  specs: ImagePipelineSpec[],
  caller: Caller,
  options: BatchOptions,
): Promise<BatchOutcome> {
  // Listening before submitting: a pipeline can retry before submit returns its id.
  const early: Array<[string, CallNotice]> = [];
  let position: Map<string, number> | undefined;
  const onNotice = options.onNotice;
  const unlisten = onNotice
    ? engine.onNotice((id, notice) => {
        if (!position) early.push([id, notice]);
        else if (position.has(id)) onNotice(notice, position.get(id) ?? 0);
      })
    : () => {};
  let submitted: PipelineRecord[];
  try {
    submitted = await engine.submit(specs, caller);
  } catch (error) {
    unlisten();
    throw error;
  }
  const ids = submitted.map((r) => r.id);
  position = new Map(ids.map((id, i) => [id, i]));
  for (const [id, notice] of early.splice(0)) if (position.has(id)) onNotice?.(notice, position.get(id) ?? 0);
  const { onChange, signal } = options;
  const unsubscribe = onChange
    ? engine.onChange((record) => {
        const index = position?.get(record.id);
        if (index !== undefined) onChange(record, index);
      }, ids)
    : () => {};
  let cancelling: Promise<unknown> | undefined;
  const cancelAll = () => {
    cancelling ??= Promise.all(ids.map((id) => engine.cancel(id, caller).catch(() => undefined)));
  };
  try {
    signal?.addEventListener('abort', cancelAll, { once: true });
    if (signal?.aborted) cancelAll();
    let records: PipelineRecord[];
    try {
      records = await engine.wait(ids, caller, Math.min(options.timeoutMs, NO_DEADLINE_MS), signal);
    } finally {
      signal?.removeEventListener('abort', cancelAll);
    }
    if (signal?.aborted) {
      // Wait for the cancellations to be recorded: a pipeline left queued would be resumed by the next start.
      await cancelling;
      throw new CancelledError('The request was cancelled; its pipelines were cancelled too.');
    }
    return {
      records,
      completed: records.filter((r) => r.status === 'completed'),
      failed: records.filter((r) => r.status === 'failed' || r.status === 'cancelled'),
      running: records.filter((r) => !isTerminal(r)),
    };
  } finally {
    unsubscribe();
    unlisten();
  }
}
