/**
 * Runs image pipelines on a bounded worker pool fed by a queue that is fair between callers. Every
 * transition is written to the repository first and then announced, so a long-poll wakes as soon as a
 * pipeline changes and a restarted server can resume or fail what was interrupted. A watchdog makes
 * sure no pipeline stays running forever. Split along its seams: the stages and progress (stages.ts),
 * recovery after a restart (recovery.ts), the queue (localQueue.ts or the shared one); running, waiting
 * and cancelling stay here.
 * @module
 */

import { EventEmitter } from 'node:events';
import type { CallNotice } from '../callNotices.js';
import { runAsCaller } from '../concurrency/caller.js';
import { AppError, BudgetExceededError, CancelledError, NotFoundError, TimeoutError } from '../errors.js';
import { callGemini, enhance, type ImageJobDeps, referencesWritten, storeResult, toAppError } from '../imageJobs.js';
import type { Logger } from '../logger.js';
import type { GenerateImageResult, LedgerOutcome } from '../ports.js';
import { billedCall, type SpendingGuard } from '../spending.js';
import { adjustColours } from './colourAdjust.js';
import { findConcept, type ProposeConceptsInput, runProposeConcepts } from './conceptPipeline.js';
import { LocalQueue } from './localQueue.js';
import { ProgressFollowers } from './progressFollowers.js';
import { engineerPrompt } from './promptEngineer.js';
import { type RecoveryDeps, recoverPipelines, recoverShared } from './recovery.js';
import { billedCallsOf, callKeyOf, pendingAgain, recordUnanswered, unansweredStages } from './runBilling.js';
import { decodeSpec, encodeSpec, type ImagePipelineSpec } from './spec.js';
import { isTerminal, progressOf, signalOf, stagesFor } from './stages.js';
import { startSweeper } from './sweeper.js';
import type {
  ConceptRecord,
  JsonGenerator,
  PipelineQueue,
  PipelineRecord,
  PipelineRepository,
  PipelineSignals,
  PipelineStatus,
  QueueItem,
  RunOutcome,
  StageName,
  StageRecord,
} from './types.js';
import { RemoteChanges } from './waiting.js';

export { isTerminal } from './stages.js';

export interface PipelineEngineOptions {
  repo: PipelineRepository;
  jobs: ImageJobDeps;
  text: JsonGenerator;
  textModel: string;
  styleGuide?: string;
  log: Logger;
  /** Pipelines running at once in this process (the default local queue's size). */
  concurrency: number;
  /** Where pipelines wait: by default in memory; a shared queue lets several instances run them. */
  queue?: PipelineQueue;
  /** Changes and cancellations from other instances (with a shared queue). */
  signals?: PipelineSignals;
  /** This process, in signals (so it ignores its own). */
  instanceId?: string;
  /** With a shared queue: how often waiters re-read what they wait for, in case a signal was lost. */
  pollMs?: number;
  /** On close: how long running pipelines may go on before they are handed back (or left resumable). */
  graceMs?: number;
  /** Longest one run may take before the watchdog fails it. */
  maxRunMs: number;
  /** Runs (the first included) before an interrupted pipeline is failed instead of resumed. */
  maxAttempts: number;
  newPipelineId: () => string;
  /** Per-user rate limit (checked once per submit) and budgets (checked before each billed Gemini call). */
  spending?: SpendingGuard;
  /**
   * True for a failure that passes (the database restarting, a connection cut): the run is retried by
   * the queue instead of failing the pipeline. None is transient when absent.
   */
  isTransient?: (error: unknown) => boolean;
  /** With a shared queue: how often pipelines whose job ended without them are looked for and settled. */
  sweepMs?: number;
}

export interface Caller {
  ownerId: string;
  isAdmin?: boolean;
}

export type PipelineListener = (record: PipelineRecord) => void;

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
    const records: PipelineRecord[] = specs.map((spec) => ({
      id: this._o.newPipelineId(),
      ownerId: caller.ownerId,
      kind: 'image',
      batchId,
      status: 'queued',
      stage: null,
      progressPercent: 0,
      stages: stagesFor(spec),
      input: encodeSpec(spec),
      resultImageId: spec.job.imageId,
      error: null,
      errorCode: null,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
      cancelRequestedAt: null,
      runBy: null,
    }));
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
    const latest = new Map<string, PipelineRecord>();
    const done = () => ids.every((id) => isTerminal(latest.get(id)));
    return new Promise<PipelineRecord[]>((resolve, reject) => {
      let settled = false;
      const unwatch = this._remote.watch(ids);
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this._events.off('change', onChange);
        this._events.off('stopping', onStopping);
        unwatch();
        signal?.removeEventListener('abort', finish);
        resolve(ids.map((id) => latest.get(id) as PipelineRecord));
      };
      const onChange = (record: PipelineRecord) => {
        if (!latest.has(record.id)) return;
        latest.set(record.id, record);
        if (done()) finish();
      };
      // Subscribe before reading, so a change between the read and the subscription is not missed.
      this._events.on('change', onChange);
      const timer = setTimeout(finish, Math.max(0, timeoutMs));
      signal?.addEventListener('abort', finish, { once: true });
      // A stopping server answers every long-poll at once with the state as it is (see `stopping`).
      const onStopping = () => void read.then(finish, () => undefined);
      this._events.once('stopping', onStopping);
      const read = Promise.all(ids.map((id) => this.get(id, caller)));
      if (this._closed) onStopping();
      read
        .then((records) => {
          for (const record of records) {
            const seen = latest.get(record.id);
            if (!seen || seen.updatedAt < record.updatedAt) latest.set(record.id, record);
          }
          if (done()) finish();
        })
        .catch((error) => {
          settled = true;
          clearTimeout(timer);
          this._events.off('change', onChange);
          this._events.off('stopping', onStopping);
          unwatch();
          reject(error);
        });
    });
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
      this._events.emit('change', requested);
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
    this._events.on('change', listener);
    return () => {
      this._events.off('change', listener);
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
        controller.abort(new CancelledError('The server is shutting down.'));
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
    const lost = () => controller.abort(new CancelledError('Another instance took this pipeline over.'));
    lease.addEventListener('abort', lost, { once: true });
    this._running.set(item.id, { controller });
    try {
      return await this._run(item.id, controller, lease);
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

  private async _run(id: string, controller: AbortController, lease: AbortSignal): Promise<RunOutcome> {
    let record = await this._o.repo.get(id);
    if (!record || isTerminal(record)) return 'done';
    if (this._closed) return 'handback';
    if (record.attempts >= this._o.maxAttempts) {
      await this._finish(
        record,
        'failed',
        new AppError(
          `The server was interrupted ${record.attempts} times while making this image; it was not retried again. Nothing was billed for an image that was not stored. Call generate_image again.`,
        ),
      );
      return 'done';
    }
    const spec = decodeSpec(record.input);
    const { signal } = controller;
    const watchdog = setTimeout(() => {
      const entry = this._running.get(id);
      const minutes = Math.round(this._o.maxRunMs / 60_000);
      if (entry)
        entry.reason = new TimeoutError(
          `The pipeline took longer than ${minutes} min and was stopped. Try again, or a smaller size.`,
        );
      controller.abort(entry?.reason);
    }, this._o.maxRunMs);
    try {
      // Generated bytes live only in memory until stored: a resumed run makes them again, unless the
      // image was stored before the interruption.
      const stages = record.stages.map((s) =>
        s.state === 'completed' && (s.name === 'engineer-prompt' || s.name === 'architect')
          ? s
          : { ...s, state: 'pending' as const, progress: 0 },
      );
      // Only while it is not finished: a cancel on another instance may have just ended it.
      // Billed calls an earlier run had sent when its instance died: Google may have billed them.
      const unanswered = unansweredStages(record.stages);
      const started = await this._o.repo.updateIf(
        id,
        ['queued', 'running'],
        { status: 'running', attempts: record.attempts + 1, startedAt: this._now(), stages, runBy: this._instanceId },
        this._now(),
      );
      if (!started) return 'done';
      record = this._announce(started);
      const earlierAttempt = record.attempts - 1;
      await recordUnanswered(
        this._o.spending,
        spec,
        { pipelineId: id, earlierAttempt, stages: unanswered },
        this._o.log,
      );
      // How a call aborted after it was sent goes into the ledger (null: the instance that took over does it).
      const abort = {
        signal,
        outcome: (): LedgerOutcome | null => {
          const why = this._running.get(id)?.reason;
          if (lease.aborted && !why) return null;
          return this._closed && !why ? 'handed-back' : 'aborted';
        },
      };
      if (await this._o.jobs.images.get(spec.job.imageId)) {
        await this._complete(record);
        return 'done';
      }
      let prompt =
        (stages.find((s) => s.name === 'engineer-prompt')?.output?.prompt as string | undefined) ?? spec.job.prompt;
      let result: GenerateImageResult | undefined;
      let calls = 0;
      const onNotice = (notice: CallNotice) => this._events.emit('notice', id, notice);
      const onRetry = (info: { attempt: number; delayMs: number; reason: string }) => {
        this._events.emit('retry', id);
        onNotice({ kind: 'retry', ...info });
      };
      let coloured: Record<string, unknown> | undefined;
      // Set when a cancel or the time limit stops the enhance pass: the billed draft is still stored.
      let keepDraft = false;
      for (const stage of stages) {
        if (stage.state === 'completed' || stage.state === 'skipped') continue;
        if (!keepDraft) signal.throwIfAborted();
        record = await this._stage(record, stage.name, { state: 'running', startedAt: this._now() });
        let output: Record<string, unknown> | undefined;
        let state: StageRecord['state'] = 'completed';
        let note: string | undefined;
        switch (stage.name) {
          case 'engineer-prompt':
            try {
              prompt = await engineerPrompt(this._o.text, {
                model: this._o.textModel,
                styleGuide: spec.style?.guide ?? this._o.styleGuide,
                prompt: spec.job.prompt,
                signal,
                billing: { ownerId: record.ownerId, pipelineId: id },
              });
              output = { prompt };
            } catch (error) {
              if (signal.aborted) throw error;
              // A failed rewrite is no reason to lose the image: fall back to the prompt as written.
              state = 'skipped';
              note = `The text model could not rewrite the prompt (${toAppError(error).message}); the prompt was used as written.`;
              this._o.log.warn({ pipeline: id, err: note }, 'engineer-prompt skipped');
            }
            break;
          case 'generate':
            // A rerun after a crash calls Gemini again, and is billed (and ledgered) again.
            result = await billedCall(this._o.spending, spec.job, { kind: spec.job.kind, pipelineId: id, abort }, () =>
              callGemini(this._o.jobs, spec.job, { prompt, signal, onRetry, onNotice }),
            );
            calls += 1;
            break;
          case 'enhance-image': {
            if (!result) throw new AppError('Nothing to enhance: the generate stage produced no image.');
            const draft = result;
            try {
              result = await billedCall(this._o.spending, spec.job, { kind: 'enhance', pipelineId: id, abort }, () =>
                enhance(this._o.jobs, spec.job, draft, { signal, onRetry, onNotice }),
              );
              calls += 1;
            } catch (error) {
              // The draft is billed already: a budget with no room for the second call, a second call that
              // fails, a cancel or the time limit during it all keep the draft. Only a shutdown stops here
              // (the pipeline runs again on the next start).
              const stopped = signal.aborted ? this._running.get(id)?.reason : undefined;
              const kept = stopped instanceof CancelledError || stopped instanceof TimeoutError;
              if (signal.aborted && (this._closed || !kept)) throw error;
              keepDraft = signal.aborted;
              state = 'skipped';
              note = enhanceNote(stopped ?? error);
              if (!(error instanceof BudgetExceededError))
                this._o.log.warn({ pipeline: id, err: note }, 'enhance-image failed; the draft is kept');
            }
            break;
          }
          case 'colour-adjust': {
            if (!result) throw new AppError('Nothing to colour: the generate stage produced no image.');
            const adjusted = await adjustColours(result, spec.palette ?? []);
            result = adjusted.result;
            output = adjusted.output;
            coloured = adjusted.summary;
            break;
          }
          case 'store':
            if (!result) throw new AppError('Nothing to store: the generate stage produced no image.');
            await storeResult(this._o.jobs, spec.job, result, {
              prompt,
              calls,
              extra: { style: spec.style?.name, colourAdjust: coloured },
            }).catch((error: unknown) => {
              throw storeFailure(error, calls);
            });
            break;
          case 'architect':
            throw new AppError('An architect stage cannot run in an image pipeline.');
        }
        record = await this._stage(record, stage.name, {
          state,
          progress: 100,
          finishedAt: this._now(),
          ...(output ? { output } : {}),
          ...(note ? { error: note } : {}),
        });
      }
      await this._complete(record);
      return 'done';
    } catch (error) {
      const reason = this._running.get(id)?.reason;
      if (lease.aborted && !reason) {
        this._o.log.warn({ pipeline: id }, 'pipeline taken over by another instance; this run stops');
        return 'lost';
      }
      // A passing database failure: the queue runs it again (the attempt counts) rather than fail it.
      if (!reason && !signal.aborted && this._o.isTransient?.(error)) throw error;
      const appError = reason ?? toAppError(error);
      const status = appError instanceof CancelledError ? 'cancelled' : 'failed';
      if (this._closed && !(reason instanceof CancelledError && reason.message.startsWith('The pipeline'))) {
        if (this._queue.shared) {
          // Handed back: this attempt does not count against the pipeline, and another instance takes it.
          await this._o.repo.updateIf(
            id,
            ['running'],
            { status: 'queued', attempts: record.attempts - 1, stages: pendingAgain(record.stages) },
            this._now(),
          );
          this._o.log.info({ pipeline: id }, 'pipeline handed back to the queue by shutdown');
          return 'handback';
        }
        // Its aborted call is in the ledger already: the resumed run must not count it as interrupted.
        await this._o.repo.updateIf(id, ['running'], { stages: pendingAgain(record.stages) }, this._now());
        this._o.log.info({ pipeline: id }, 'pipeline interrupted by shutdown; it resumes on the next start');
        return 'handback';
      }
      const latest = (await this._o.repo.get(id)) ?? record;
      await this._finish(latest, status, appError);
      return 'done';
    } finally {
      clearTimeout(watchdog);
    }
  }

  /** Calls a finished pipeline will not make no longer hold the budget (see `SpendingGuard.holdBatch`). */
  private async _releaseHolds(record: PipelineRecord): Promise<void> {
    if (record.kind !== 'image' || !this._o.spending) return;
    await this._o.spending
      .releaseCalls(record.ownerId, billedCallsOf(record.id, decodeSpec(record.input)).map(callKeyOf))
      .catch((err) => this._o.log.warn({ err, pipeline: record.id }, 'budget holds not released; they expire'));
  }

  private async _complete(record: PipelineRecord): Promise<void> {
    const stages = record.stages.map((s) =>
      s.state === 'pending' ? { ...s, state: 'completed' as const, progress: 100 } : s,
    );
    await this._update(record.id, {
      status: 'completed',
      stage: null,
      stages,
      progressPercent: 100,
      finishedAt: this._now(),
      error: null,
      errorCode: null,
    });
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
    const stages = record.stages.map((s) =>
      s.state === 'running' || s.state === 'pending'
        ? {
            ...s,
            state:
              status === 'cancelled' ? ('cancelled' as const) : s.state === 'running' ? ('failed' as const) : s.state,
            finishedAt: s.state === 'running' ? this._now() : s.finishedAt,
          }
        : s,
    );
    await this._releaseHolds(record);
    const update = {
      status,
      stages,
      finishedAt: this._now(),
      error: error.message,
      errorCode: error.code,
      resultImageId: null,
    };
    if (!onlyIf) return this._update(record.id, update);
    const finished = await this._o.repo.updateIf(record.id, onlyIf, update, this._now());
    return finished && this._announce(finished);
  }

  private async _stage(record: PipelineRecord, name: StageName, change: Partial<StageRecord>): Promise<PipelineRecord> {
    const stages = record.stages.map((s) => (s.name === name ? { ...s, ...change } : s));
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
    this._events.emit('change', record);
    if (record.cancelRequestedAt && !isTerminal(record)) this._abortRunning(record.id);
    return record;
  }

  /** Aborts the pipeline if it runs here, as cancelled by the caller; false when it does not run here. */
  private _abortRunning(id: string): boolean {
    const running = this._running.get(id);
    if (!running) return false;
    if (!running.controller.signal.aborted) {
      running.reason = new CancelledError('The pipeline was cancelled.');
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

/** What the result says when the enhance pass did not happen; the draft is stored either way. */
function enhanceNote(error: unknown): string {
  if (error instanceof CancelledError)
    return 'Not enhanced: the pipeline was cancelled during the enhance pass. The draft, already billed, was stored as it is.';
  if (error instanceof TimeoutError)
    return `Not enhanced: ${error.message.replace(/ Try again.*$/, '')} The draft, already billed, was stored as it is.`;
  if (error instanceof BudgetExceededError)
    return `Not enhanced: ${error.message.replace(/ This call was not sent.*$/, '')} The draft was stored as it is.`;
  const reason = toAppError(error)
    .message.replace(/ No cost was recorded\.?/, '')
    .trim();
  return `Not enhanced: the enhance pass failed (${reason}). The draft was stored as it is, and only the draft was billed.`;
}

/** A store that fails after Gemini made (and billed) the image: say so, instead of a bare file-system error. */
function storeFailure(error: unknown, calls: number): AppError {
  const cause = toAppError(error);
  const billed = calls > 1 ? `${calls} billed Gemini calls` : 'a billed Gemini call';
  return new AppError(
    `The image was made (${billed}, counted in the cost ledger) but could not be stored: ${cause.message}. Check the data folder (free space, permissions), then ask again.`,
    { cause: error },
  );
}
