/**
 * Runs image pipelines from a queue fair between callers; every transition is stored, then announced, so
 * long-polls wake at once and a restart resumes or fails what was interrupted. Split along its seams:
 * stages and end states (stages.ts), one run (imageRun.ts), billing (runBilling.ts), waiting on other
 * instances (waiting.ts, progressFollowers.ts), recovery and the sweep (recovery.ts, sweeper.ts), the
 * queue (localQueue.ts or the shared one); submitting, cancelling and closing stay here.
 * @module
 */

import { EventEmitter } from 'node:events';
import type { CallNotice } from '../callNotices.js';
import { runAsCaller } from '../concurrency/caller.js';
import { type AppError, CancelledError, NotFoundError } from '../errors.js';
import { referencesWritten } from '../imageJobs.js';
import { telemetry } from '../telemetry.js';
import { findConcept, type ProposeConceptsInput, runProposeConcepts } from './conceptPipeline.js';
import type { Caller, PipelineEngineOptions, PipelineListener } from './engineOptions.js';
import { type RunHost, runImagePipeline } from './imageRun.js';
import { LocalQueue } from './localQueue.js';
import { ProgressFollowers } from './progressFollowers.js';
import { type RecoveryDeps, recoverPipelines, recoverShared } from './recovery.js';
import { countFinished, reportEnd, runAsPipelineRequest } from './requestOrigin.js';
import { billedCallsOf, releaseHolds } from './runBilling.js';
import type { ImagePipelineSpec } from './spec.js';
import { completedUpdate, endedUpdate, isTerminal, progressOf, queuedRecord, signalOf, withStage } from './stages.js';
import { startSweeper } from './sweeper.js';
import type {
  ConceptRecord,
  PipelineQueue,
  PipelineRecord,
  PipelineRepository,
  PipelineStatus,
  QueueItem,
  RunOutcome,
  StageName,
  StageRecord,
} from './types.js';
import { announceChange, onChanges, RemoteChanges, waitForEnd } from './waiting.js';

export type { Caller, PipelineEngineOptions, PipelineListener } from './engineOptions.js';
export { isTerminal } from './stages.js';

export class PipelineEngine {
  private readonly _queue: PipelineQueue;
  private readonly _running = new Map<string, { controller: AbortController; reason?: AppError }>();
  private readonly _events = new EventEmitter();
  private _closed = false;
  /** Pipelines someone here waits on, kept up to date from other instances (waiting.ts). */
  private readonly _remote: RemoteChanges;
  private _poller: ReturnType<typeof setInterval> | undefined;
  private _unsubscribe: (() => void) | undefined;
  private _stopSweeper: (() => void) | undefined;
  /** What a run (imageRun.ts) reaches of this engine. */
  private readonly _host: RunHost;

  constructor(private readonly _o: PipelineEngineOptions) {
    this._events.setMaxListeners(0);
    this._queue = _o.queue ?? new LocalQueue(_o.concurrency);
    this._remote = new RemoteChanges({
      repo: _o.repo,
      signals: _o.signals,
      log: _o.log,
      instanceId: () => this._instanceId,
      runningHere: () => this._running.keys(),
      announce: (record) => this._announce(record),
      abortRunning: (id) => this._abortRunning(id),
      followers: new ProgressFollowers(_o.signals, _o.instanceId ?? 'local', _o.log),
    });
    this._host = {
      o: _o,
      running: this._running,
      closed: () => this._closed,
      shared: this._queue.shared,
      instanceId: this._instanceId,
      now: () => this._now(),
      emit: (event, id, notice) => this._events.emit(event, id, notice),
      announce: (record) => this._announce(record),
      stage: (record, name, change) => this._stage(record, name, change),
      complete: (record) => this._complete(record),
      finish: (record, status, error, onlyIf) =>
        onlyIf ? this._finish(record, status, error, onlyIf) : this._finish(record, status, error),
    };
  }

  /** Starts taking work from the queue, and (shared) listening to the other instances. */
  async start(): Promise<void> {
    this._unsubscribe = this._o.signals?.subscribe(
      (signal) => this._remote.onSignal(signal),
      () => void this._remote.poll(true),
    );
    // Run as its owner: the Gemini key's adaptive limit serves waiting calls in turn between people.
    await this._queue.start((item, signal) => runAsCaller(item.ownerId, () => this._runItem(item, signal)));
    if (this._queue.shared) {
      this._poller = setInterval(() => void this._remote.poll(), this._o.pollMs ?? 2000);
      this._poller.unref();
      this._stopSweeper = startSweeper({
        everyMs: this._o.sweepMs ?? 60_000,
        sweep: () => this.sweep(),
        log: this._o.log,
      });
    }
  }

  /**
   * Settles pipelines left unfinished with no job behind them (shared queue): re-queues one whose job
   * is missing, fails with a reason one whose job ended (retries used up). Only rows that did not change
   * for `staleMs`, so nothing in flight is touched.
   */
  async sweep(staleMs = 30_000): Promise<{ resumed: number; failed: number }> {
    return recoverShared(this._recoveryDeps(), staleMs);
  }

  /** True once the server is stopping: long-polls answer at once, and callers should call again. */
  get stopping(): boolean {
    return this._closed;
  }

  /** Creates one queued pipeline per spec (one batch) and starts them as workers free up. */
  async submit(specs: ImagePipelineSpec[], caller: Caller): Promise<PipelineRecord[]> {
    await this._o.spending?.admit(caller.ownerId);
    const batchId = this._o.newPipelineId();
    const now = this._now();
    const records = specs.map((spec) => queuedRecord(this._o.newPipelineId(), caller.ownerId, batchId, spec, now));
    // In a shared queue, an owner's pipelines are ranked behind those already waiting, so that one person's
    // batch does not hold everyone else's image behind it (the local queue is round-robin by itself).
    const ahead = this._queue.shared ? await this._o.repo.countUnfinished(caller.ownerId) : 0;
    // A batch the budget cannot pay for is refused now, not failed later: its calls are held until they run.
    await this._o.spending?.holdBatch(
      caller.ownerId,
      records.flatMap((r, i) => billedCallsOf(r.id, specs[i])),
    );
    await this._o.repo.insert(records);
    for (const spec of specs) await referencesWritten(this._o.jobs, spec.job);
    telemetry().count('pipelines_submitted_total', { kind: 'image' }, records.length);
    await this._queue.push(records.map((r, i) => ({ id: r.id, ownerId: r.ownerId, rank: ahead + i })));
    return records;
  }

  /** propose_concepts, as a recorded pipeline (see conceptPipeline.ts). */
  proposeConcepts(
    input: ProposeConceptsInput,
    caller: Caller,
    signal?: AbortSignal,
  ): Promise<{ pipeline: PipelineRecord; conversationId: string; concepts: ConceptRecord[] }> {
    return runProposeConcepts(
      {
        ...this._o,
        now: () => this._now(),
        update: (id, update) => this._update(id, update),
        finish: (record, status, error) => this._finish(record, status, error),
      },
      input,
      caller,
      signal,
    );
  }

  /** A concept the caller may use. */
  concept(id: string, caller: Caller): Promise<ConceptRecord> {
    return findConcept(this._o.repo, id, caller);
  }

  /** A pipeline the caller may see (their own; admins any). */
  async get(id: string, caller: Caller): Promise<PipelineRecord> {
    const record = await this._read(() => this._o.repo.get(id.trim()));
    if (!record || (!caller.isAdmin && record.ownerId !== caller.ownerId)) {
      throw new NotFoundError(`No pipeline with id "${id}". Use the pipeline ids that generate_image_async returned.`);
    }
    return record;
  }

  /**
   * Resolves with the records once every pipeline has finished (completed, failed or cancelled), or at
   * the deadline, or when `signal` aborts — whichever comes first — with their state at that moment.
   */
  async wait(ids: string[], caller: Caller, timeoutMs: number, signal?: AbortSignal): Promise<PipelineRecord[]> {
    return waitForEnd(
      {
        events: this._events,
        watch: (watched) => this._remote.watch(watched),
        read: (id) => this.get(id, caller),
        stopping: () => this._closed,
      },
      ids,
      timeoutMs,
      signal,
    );
  }

  /** Cancels a queued or running pipeline: its Gemini call is aborted and it ends `cancelled`. */
  async cancel(id: string, caller: Caller): Promise<PipelineRecord> {
    const record = await this.get(id, caller);
    if (isTerminal(record)) return record;
    if (this._abortRunning(record.id)) return this._waitTerminal(record.id, caller);
    // Not started: withdraw it, unless a worker (here or on another instance) took it meanwhile.
    const cancelled = await this._finish(
      record,
      'cancelled',
      new CancelledError('The pipeline was cancelled before it started.'),
      ['queued'],
    );
    if (cancelled) {
      await this._queue.remove(record.id);
      return cancelled;
    }
    if (this._abortRunning(record.id)) return this._waitTerminal(record.id, caller);
    // Running on another instance: it sees the request at its next step, and at once through the signal.
    const requested = await this._o.repo.updateIf(
      record.id,
      ['queued', 'running'],
      { cancelRequestedAt: this._now() },
      this._now(),
    );
    if (requested) {
      announceChange(this._events, requested);
      await this._o.signals?.publish({ ...signalOf(requested, this._instanceId), cancel: true });
    }
    return this._waitTerminal(record.id, caller);
  }

  /** What pipelines running here have to say on the way (retries, fallbacks; see core/callNotices). */
  onNotice(listener: (id: string, notice: CallNotice) => void): () => void {
    this._events.on('notice', listener);
    return () => this._events.off('notice', listener);
  }

  /** Every change to the pipelines `ids` (all of them when omitted), as stored, from any instance. */
  onChange(listener: PipelineListener, ids?: string[]): () => void {
    const unwatch = ids ? this._remote.watch(ids, true) : () => {};
    const unlisten = onChanges(this._events, ids, listener);
    return () => {
      unlisten();
      unwatch();
    };
  }

  /**
   * Resumes what a previous process left queued or running, or fails it when it was tried too often
   * (recovery.ts).
   */
  async recover(): Promise<{ resumed: number; failed: number }> {
    return recoverPipelines(this._recoveryDeps());
  }

  private _recoveryDeps(): RecoveryDeps {
    return {
      repo: this._o.repo,
      queue: this._queue,
      log: this._o.log,
      maxAttempts: this._o.maxAttempts,
      maxRunMs: this._o.maxRunMs,
      now: () => this._o.jobs.now(),
      requeue: async (record) => {
        await this._update(record.id, { status: 'queued' });
      },
      fail: async (record, error, from) => {
        if (from) return (await this._finish(record, 'failed', error, from)) !== undefined;
        await this._finish(record, 'failed', error);
        return true;
      },
    };
  }

  /**
   * Stops taking work, lets running pipelines finish for up to the grace period, then stops the rest:
   * with a shared queue they are handed back to run on another instance; on one server they stay
   * resumable (the next start resumes them).
   */
  async close(): Promise<void> {
    this._closed = true;
    this._events.emit('stopping');
    clearInterval(this._poller);
    this._stopSweeper?.();
    this._unsubscribe?.();
    const stopping = this._queue.stop();
    const grace = setTimeout(() => {
      for (const { controller } of this._running.values())
        controller.abort(new CancelledError('The server is shutting down.', { by: 'shutdown' }));
    }, this._o.graceMs ?? 0);
    try {
      await stopping;
    } finally {
      clearTimeout(grace);
    }
  }

  /** A read that rides out a passing database failure (a restart, a cut connection): up to ~4 s of retries. */
  private async _read<T>(read: () => Promise<T>): Promise<T> {
    for (let delay = 250; ; delay *= 2) {
      try {
        return await read();
      } catch (error) {
        if (delay > 2000 || !this._o.isTransient?.(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  // --- running ---------------------------------------------------------------------------------

  private async _runItem(item: QueueItem, lease: AbortSignal): Promise<RunOutcome> {
    const controller = new AbortController();
    const lost = () =>
      controller.abort(new CancelledError('Another instance took this pipeline over.', { by: 'takeover' }));
    lease.addEventListener('abort', lost, { once: true });
    this._running.set(item.id, { controller });
    try {
      const origin = await this._o.repo.get(item.id);
      return await runAsPipelineRequest(origin, () => runImagePipeline(this._host, origin, controller, lease));
    } catch (err) {
      // Not recorded (the database is away, or the error came while recording the end): never report
      // the job done with its row unfinished. The queue runs it again; its sweep settles it for good.
      this._o.log.error({ err, pipeline: item.id }, 'pipeline run failed before its end was recorded; retrying it');
      return 'retry';
    } finally {
      lease.removeEventListener('abort', lost);
      this._running.delete(item.id);
    }
  }

  private async _complete(record: PipelineRecord): Promise<void> {
    countFinished(record, 'completed');
    await this._update(record.id, completedUpdate(record, this._now()));
  }

  private async _finish(
    record: PipelineRecord,
    status: 'failed' | 'cancelled',
    error: AppError,
  ): Promise<PipelineRecord>;
  private async _finish(
    record: PipelineRecord,
    status: 'failed' | 'cancelled',
    error: AppError,
    onlyIf: readonly PipelineStatus[],
  ): Promise<PipelineRecord | undefined>;
  private async _finish(
    record: PipelineRecord,
    status: 'failed' | 'cancelled',
    error: AppError,
    onlyIf?: readonly PipelineStatus[],
  ): Promise<PipelineRecord | undefined> {
    await releaseHolds(this._o.spending, record, this._o.log);
    const errorText = reportEnd(record, status, error, this._o.maskInternalErrors === true, this._o.log);
    const update = { ...endedUpdate(record, status, error, this._now()), error: errorText };
    if (!onlyIf) return this._update(record.id, update);
    const finished = await this._o.repo.updateIf(record.id, onlyIf, update, this._now());
    return finished && this._announce(finished);
  }

  private async _stage(record: PipelineRecord, name: StageName, change: Partial<StageRecord>): Promise<PipelineRecord> {
    const { stages } = withStage(record, name, change);
    // Progress goes to the other instances only while someone there follows it.
    const followed = this._remote.followedElsewhere(record.id);
    return this._update(record.id, { stages, stage: name, progressPercent: progressOf(stages) }, followed);
  }

  private async _update(
    id: string,
    update: Parameters<PipelineRepository['update']>[1],
    announceProgress = false,
  ): Promise<PipelineRecord> {
    return this._announce(await this._o.repo.update(id, update, this._now(), announceProgress));
  }

  /** Tells local listeners about a stored change; stops the run when someone asked to cancel it. */
  private _announce(record: PipelineRecord): PipelineRecord {
    this._remote.seen(record);
    announceChange(this._events, record);
    if (record.cancelRequestedAt && !isTerminal(record)) this._abortRunning(record.id);
    return record;
  }

  /** Aborts the pipeline if it runs here, as cancelled by the caller; false when it does not run here. */
  private _abortRunning(id: string): boolean {
    const running = this._running.get(id);
    if (!running) return false;
    if (!running.controller.signal.aborted) {
      running.reason = new CancelledError('The pipeline was cancelled.', { by: 'caller' });
      running.controller.abort(running.reason);
    }
    return true;
  }

  private async _waitTerminal(id: string, caller: Caller): Promise<PipelineRecord> {
    for (;;) {
      const [record] = await this.wait([id], caller, 60_000);
      // A stopping server answers with the state as it is rather than loop on an answering wait.
      if (record && (isTerminal(record) || this._closed)) return record;
    }
  }

  private get _instanceId(): string {
    return this._o.instanceId ?? 'local';
  }

  private _now(): string {
    return this._o.jobs.now().toISOString();
  }
}
