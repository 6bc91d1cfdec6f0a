/**
 * Runs image pipelines on a bounded worker pool fed by a queue that is fair between callers. Every
 * transition is written to the repository first and then announced, so a long-poll wakes as soon as a
 * pipeline changes and a restarted server can resume or fail what was interrupted. A watchdog makes
 * sure no pipeline stays running forever.
 * @module
 */
import { EventEmitter } from 'node:events';
import { AppError, CancelledError, NotFoundError, TimeoutError } from '../errors.js';
import { callGemini, enhance, type ImageJobDeps, storeResult, toAppError } from '../imageJobs.js';
import type { Logger } from '../logger.js';
import type { GenerateImageResult } from '../ports.js';
import { findConcept, type ProposeConceptsInput, runProposeConcepts } from './conceptPipeline.js';
import { FairQueue } from './fairQueue.js';
import { engineerPrompt } from './promptEngineer.js';
import { decodeSpec, encodeSpec, type ImagePipelineSpec } from './spec.js';
import {
  type ConceptRecord,
  type JsonGenerator,
  type PipelineRecord,
  type PipelineRepository,
  type StageName,
  type StageRecord,
  TERMINAL_STATUSES,
} from './types.js';

export interface PipelineEngineOptions {
  repo: PipelineRepository;
  jobs: ImageJobDeps;
  text: JsonGenerator;
  textModel: string;
  styleGuide?: string;
  log: Logger;
  /** Pipelines running at once. */
  concurrency: number;
  /** Longest one run may take before the watchdog fails it. */
  maxRunMs: number;
  /** Runs (the first included) before an interrupted pipeline is failed instead of resumed. */
  maxAttempts: number;
  newPipelineId: () => string;
}

export interface Caller {
  ownerId: string;
  isAdmin?: boolean;
}

export type PipelineListener = (record: PipelineRecord) => void;

const WEIGHTS: Record<StageName, number> = {
  architect: 100,
  'engineer-prompt': 15,
  generate: 60,
  'enhance-image': 40,
  store: 10,
};

export class PipelineEngine {
  private readonly _queue = new FairQueue<string>();
  private readonly _running = new Map<string, { controller: AbortController; reason?: AppError }>();
  private readonly _events = new EventEmitter();
  private _closed = false;
  private readonly _runs = new Set<Promise<void>>();

  constructor(private readonly _o: PipelineEngineOptions) {
    this._events.setMaxListeners(0);
  }

  /** Creates one queued pipeline per spec (one batch) and starts them as workers free up. */
  async submit(specs: ImagePipelineSpec[], caller: Caller): Promise<PipelineRecord[]> {
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
    }));
    await this._o.repo.insert(records);
    for (const record of records) this._enqueue(record);
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
    const record = await this._o.repo.get(id.trim());
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
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this._events.off('change', onChange);
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
      Promise.all(ids.map((id) => this.get(id, caller)))
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
          reject(error);
        });
    });
  }

  /** Cancels a queued or running pipeline: its Gemini call is aborted and it ends `cancelled`. */
  async cancel(id: string, caller: Caller): Promise<PipelineRecord> {
    const record = await this.get(id, caller);
    if (isTerminal(record)) return record;
    const running = this._running.get(record.id);
    if (running) {
      running.reason = new CancelledError('The pipeline was cancelled.');
      running.controller.abort(running.reason);
      return this._waitTerminal(record.id);
    }
    this._queue.remove((queued) => queued === record.id);
    return this._finish(record, 'cancelled', new CancelledError('The pipeline was cancelled before it started.'));
  }

  /** Every change to every pipeline, as stored. */
  onChange(listener: PipelineListener): () => void {
    this._events.on('change', listener);
    return () => this._events.off('change', listener);
  }

  /** Resumes what a previous process left queued or running, or fails it when it was tried too often. */
  async recover(): Promise<{ resumed: number; failed: number }> {
    let resumed = 0;
    let failed = 0;
    for (const record of await this._o.repo.listUnfinished()) {
      if (record.kind !== 'image') {
        await this._finish(record, 'failed', new AppError('The server restarted while this ran. Call it again.'));
        failed += 1;
      } else if (record.attempts >= this._o.maxAttempts) {
        const error = new AppError(
          `The server was interrupted ${record.attempts} times while making this image; it was not retried again. Nothing was billed for an image that was not stored. Call generate_image again.`,
        );
        await this._finish(record, 'failed', error);
        failed += 1;
      } else {
        await this._update(record.id, { status: 'queued' });
        this._enqueue(record);
        resumed += 1;
      }
    }
    if (resumed + failed > 0) this._o.log.info({ resumed, failed }, 'pipelines recovered after a restart');
    return { resumed, failed };
  }

  /** Stops taking work; running pipelines are aborted and stay resumable (their next start resumes them). */
  async close(): Promise<void> {
    this._closed = true;
    for (const { controller } of this._running.values())
      controller.abort(new CancelledError('The server is shutting down.'));
    await Promise.all([...this._runs]);
  }

  // --- running ---------------------------------------------------------------------------------

  private _enqueue(record: PipelineRecord): void {
    this._queue.push(record.ownerId, record.id);
    this._pump();
  }

  private _pump(): void {
    while (!this._closed && this._running.size < this._o.concurrency && this._queue.size > 0) {
      const id = this._queue.shift();
      if (id === undefined) break;
      const controller = new AbortController();
      this._running.set(id, { controller });
      const run: Promise<void> = this._run(id, controller)
        .catch((err) => this._o.log.error({ err, pipeline: id }, 'pipeline runner failed'))
        .finally(() => {
          this._running.delete(id);
          this._runs.delete(run);
          this._pump();
        });
      this._runs.add(run);
    }
  }

  private async _run(id: string, controller: AbortController): Promise<void> {
    let record = await this._o.repo.get(id);
    if (!record || isTerminal(record)) return;
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
      record = await this._update(id, {
        status: 'running',
        attempts: record.attempts + 1,
        startedAt: this._now(),
        stages,
      });
      if (await this._o.jobs.images.get(spec.job.imageId)) {
        await this._complete(record);
        return;
      }
      let prompt =
        (stages.find((s) => s.name === 'engineer-prompt')?.output?.prompt as string | undefined) ?? spec.job.prompt;
      let result: GenerateImageResult | undefined;
      let calls = 0;
      const onRetry = () => this._events.emit('retry', id);
      for (const stage of stages) {
        if (stage.state === 'completed' || stage.state === 'skipped') continue;
        signal.throwIfAborted();
        record = await this._stage(record, stage.name, { state: 'running', startedAt: this._now() });
        let output: Record<string, unknown> | undefined;
        let state: StageRecord['state'] = 'completed';
        let note: string | undefined;
        switch (stage.name) {
          case 'engineer-prompt':
            try {
              prompt = await engineerPrompt(this._o.text, {
                model: this._o.textModel,
                styleGuide: this._o.styleGuide,
                prompt: spec.job.prompt,
                signal,
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
            result = await callGemini(this._o.jobs, spec.job, { prompt, signal, onRetry });
            calls += 1;
            break;
          case 'enhance-image':
            if (!result) throw new AppError('Nothing to enhance: the generate stage produced no image.');
            result = await enhance(this._o.jobs, spec.job, result, { signal, onRetry });
            calls += 1;
            break;
          case 'store':
            if (!result) throw new AppError('Nothing to store: the generate stage produced no image.');
            await storeResult(this._o.jobs, spec.job, result, { prompt, calls });
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
    } catch (error) {
      const reason = this._running.get(id)?.reason;
      const appError = reason ?? toAppError(error);
      const status = appError instanceof CancelledError ? 'cancelled' : 'failed';
      if (this._closed && !(reason instanceof CancelledError && reason.message.startsWith('The pipeline'))) {
        // Shutting down: leave it resumable.
        this._o.log.info({ pipeline: id }, 'pipeline interrupted by shutdown; it resumes on the next start');
        return;
      }
      const latest = (await this._o.repo.get(id)) ?? record;
      await this._finish(latest, status, appError);
    } finally {
      clearTimeout(watchdog);
    }
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
  ): Promise<PipelineRecord> {
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
    return this._update(record.id, {
      status,
      stages,
      finishedAt: this._now(),
      error: error.message,
      errorCode: error.code,
      resultImageId: null,
    });
  }

  private async _stage(record: PipelineRecord, name: StageName, change: Partial<StageRecord>): Promise<PipelineRecord> {
    const stages = record.stages.map((s) => (s.name === name ? { ...s, ...change } : s));
    return this._update(record.id, { stages, stage: name, progressPercent: progressOf(stages) });
  }

  private async _update(id: string, update: Parameters<PipelineRepository['update']>[1]): Promise<PipelineRecord> {
    const record = await this._o.repo.update(id, update, this._now());
    this._events.emit('change', record);
    return record;
  }

  private async _waitTerminal(id: string): Promise<PipelineRecord> {
    const current = await this._o.repo.get(id);
    if (current && isTerminal(current)) return current;
    return new Promise((resolve) => {
      const listener = (record: PipelineRecord) => {
        if (record.id === id && isTerminal(record)) {
          this._events.off('change', listener);
          resolve(record);
        }
      };
      this._events.on('change', listener);
    });
  }

  private _now(): string {
    return this._o.jobs.now().toISOString();
  }
}

export function isTerminal(record: PipelineRecord | undefined): boolean {
  return record !== undefined && TERMINAL_STATUSES.includes(record.status);
}

function stagesFor(spec: ImagePipelineSpec): StageRecord[] {
  const names: StageName[] = [
    ...(spec.autoStyle ? (['engineer-prompt'] as const) : []),
    'generate',
    ...(spec.enhance ? (['enhance-image'] as const) : []),
    'store',
  ];
  return names.map((name) => ({ name, state: 'pending', progress: 0, startedAt: null, finishedAt: null }));
}

function progressOf(stages: StageRecord[]): number {
  const total = stages.reduce((sum, s) => sum + WEIGHTS[s.name], 0);
  const done = stages.reduce(
    (sum, s) =>
      sum + (s.state === 'completed' || s.state === 'skipped' ? WEIGHTS[s.name] : (WEIGHTS[s.name] * s.progress) / 100),
    0,
  );
  return total === 0 ? 0 : Math.min(99, Math.floor((done / total) * 100));
}
