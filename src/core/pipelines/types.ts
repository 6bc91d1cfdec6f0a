/**
 * Pipelines: the unit of work behind generate_image, generate_image_async and propose_concepts. A
 * pipeline runs named stages, each recorded with its state, progress and timing, and is persisted so
 * that a restarted server resumes or fails it with a reason.
 * @module
 */

export const PIPELINE_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];
export const TERMINAL_STATUSES: readonly PipelineStatus[] = ['completed', 'failed', 'cancelled'];

export type StageName = 'architect' | 'engineer-prompt' | 'generate' | 'enhance-image' | 'colour-adjust' | 'store';
export type StageState = 'pending' | 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export interface StageRecord {
  name: StageName;
  state: StageState;
  /** 0–100 within the stage. */
  progress: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** What the stage produced that later stages (or a resumed run) need, e.g. the refined prompt. */
  output?: Record<string, unknown>;
  error?: string;
}

export interface PipelineRecord {
  id: string;
  ownerId: string;
  kind: 'image' | 'concepts';
  /** Pipelines created by one call share a batch id. */
  batchId: string;
  status: PipelineStatus;
  stage: StageName | null;
  progressPercent: number;
  stages: StageRecord[];
  /** JSON: what to do (see core/pipelines/spec.ts). */
  input: string;
  resultImageId: string | null;
  error: string | null;
  errorCode: string | null;
  /** Runs started, the first included; a resumed pipeline counts again. */
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Set when a caller on any instance asked to cancel it; the instance running it stops at once. */
  cancelRequestedAt: string | null;
  /** The instance that ran it last (its `instanceName`). */
  runBy: string | null;
}

export interface PipelineUpdate {
  status?: PipelineStatus;
  stage?: StageName | null;
  progressPercent?: number;
  stages?: StageRecord[];
  resultImageId?: string | null;
  error?: string | null;
  errorCode?: string | null;
  attempts?: number;
  startedAt?: string | null;
  finishedAt?: string | null;
  cancelRequestedAt?: string | null;
  runBy?: string | null;
}

export interface ConceptRecord {
  /** `<pipelineId>#<index>` */
  id: string;
  pipelineId: string;
  ownerId: string;
  conversationId: string;
  /** What the person asked for in this turn (the rough idea or their feedback). */
  request: string;
  title: string;
  refinedPrompt: string;
  keywords: string[];
  createdAt: string;
}

export interface PipelineRepository {
  insert(records: PipelineRecord[]): Promise<void>;
  get(id: string): Promise<PipelineRecord | undefined>;
  /**
   * Applies the update and bumps `updatedAt`; returns the new record. With a shared queue, an update that
   * sets `status` is announced to the other instances; one that does not (progress) only with
   * `announceProgress` (someone elsewhere follows that pipeline's progress).
   */
  update(id: string, update: PipelineUpdate, now: string, announceProgress?: boolean): Promise<PipelineRecord>;
  /**
   * Like `update`, only while the pipeline is in one of `statuses` (an atomic compare-and-set, so two
   * instances cannot both start, or both cancel, one pipeline); `undefined` when it was not.
   */
  updateIf(
    id: string,
    statuses: readonly PipelineStatus[],
    update: PipelineUpdate,
    now: string,
  ): Promise<PipelineRecord | undefined>;
  getMany(ids: string[]): Promise<PipelineRecord[]>;
  /** How many pipelines the owner has queued or running (for fair ordering in a shared queue). */
  countUnfinished(ownerId: string): Promise<number>;
  /** Pipelines a restarted server must resume or fail. */
  listUnfinished(): Promise<PipelineRecord[]>;
  listByOwner(ownerId: string | undefined, limit: number): Promise<PipelineRecord[]>;
  insertConcepts(concepts: ConceptRecord[]): Promise<void>;
  getConcept(id: string): Promise<ConceptRecord | undefined>;
  conceptsOfConversation(conversationId: string, ownerId: string): Promise<ConceptRecord[]>;
}

/** A text model with structured JSON output (the architect and prompt-engineer stages). */
export interface JsonGenerator {
  generateJson(request: {
    model: string;
    systemInstruction?: string;
    prompt:
      | string
      | Array<{
          role: 'user' | 'model';
          /** Text, or an image for the model to look at (style extraction). */
          parts: Array<{ text?: string; inlineData?: { mimeType: string; data: string } }>;
        }>;
    jsonSchema: object;
    signal?: AbortSignal;
    /** Who the call is for, so that it goes into the cost ledger (see core/spending `withTextLedger`). */
    billing?: { ownerId: string; pipelineId: string | null };
  }): Promise<{ value: unknown }>;
}

/** A pipeline waiting for a worker. */
export interface QueueItem {
  id: string;
  ownerId: string;
  /** How many of the owner's pipelines were waiting or running before it (a shared queue serves low ranks first). */
  rank?: number;
}

/**
 * How a run ended for the queue: `done` (the pipeline is finished, or was not this run's to do),
 * `handback` (this instance is shutting down: run it elsewhere), `lost` (another instance took it),
 * `retry` (a passing failure, e.g. of the database, kept the run from finishing or recording its end:
 * run it again).
 */
export type RunOutcome = 'done' | 'handback' | 'lost' | 'retry';

/**
 * Where pipelines wait for a worker: in this process's memory (one server), or a queue in PostgreSQL that
 * every instance takes work from. A job whose instance died is handed to another one by the queue.
 */
export interface PipelineQueue {
  /** True when several instances share it (the engine then coordinates through the database). */
  readonly shared: boolean;
  /**
   * Starts handing queued pipelines to `run`, at most the local concurrency at once. `signal` aborts
   * when this instance lost the job (its lease ran out and another instance took it).
   */
  start(run: (item: QueueItem, signal: AbortSignal) => Promise<RunOutcome>): Promise<void>;
  push(items: QueueItem[]): Promise<void>;
  /** Withdraws a pipeline that has not started; false when it is not waiting here. */
  remove(id: string): Promise<boolean>;
  /** Stops taking work, and resolves when `run` has returned for every job this instance holds. */
  stop(): Promise<void>;
  /** The state of a pipeline's job, for recovery in a shared queue: `missing` when it has none. */
  jobState?(id: string): Promise<'waiting' | 'active' | 'ended' | 'missing'>;
}

/** What a pipeline change looks like on the wire between instances. */
export interface PipelineSignal {
  id: string;
  status: PipelineStatus;
  updatedAt: string;
  /** Set when it asks the instance running the pipeline to stop it. */
  cancel?: boolean;
  /** Set when someone on the sending instance follows the pipeline's progress (renewed while they do). */
  follow?: boolean;
  /** The instance that made the change. */
  from: string;
}

/** Tells every instance that a pipeline changed (PostgreSQL LISTEN/NOTIFY); absent on one server. */
export interface PipelineSignals {
  publish(signal: PipelineSignal): Promise<void>;
  /** `onReconnect` runs after the connection came back: changes made meanwhile were not signalled. */
  subscribe(listener: (signal: PipelineSignal) => void, onReconnect?: () => void): () => void;
  /** False while the listening connection is down (waiters then rely on polling). */
  readonly connected: boolean;
}
