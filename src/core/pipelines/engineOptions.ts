/**
 * What a pipeline engine is built from (its options) and who calls it.
 * @module
 */
import type { ImageJobDeps } from '../imageJobs.js';
import type { Logger } from '../logger.js';
import type { SpendingGuard } from '../spending.js';
import type { JsonGenerator, PipelineQueue, PipelineRecord, PipelineRepository, PipelineSignals } from './types.js';

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
  /** Keep the text of unexpected errors out of pipeline records (public binds); the log has it. */
  maskInternalErrors?: boolean;
}

export interface Caller {
  ownerId: string;
  isAdmin?: boolean;
}

export type PipelineListener = (record: PipelineRecord) => void;
