/**
 * Pipelines: the unit of work behind generate_image, generate_image_async and propose_concepts. A
 * pipeline runs named stages, each recorded with its state, progress and timing, and is persisted so
 * that a restarted server resumes or fails it with a reason.
 * @module
 */

export const PIPELINE_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];
export const TERMINAL_STATUSES: readonly PipelineStatus[] = ['completed', 'failed', 'cancelled'];

export type StageName = 'architect' | 'engineer-prompt' | 'generate' | 'enhance-image' | 'store';
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
  /** Applies the update and bumps `updatedAt`; returns the new record. */
  update(id: string, update: PipelineUpdate, now: string): Promise<PipelineRecord>;
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
    prompt: string | Array<{ role: 'user' | 'model'; parts: Array<{ text?: string }> }>;
    jsonSchema: object;
    signal?: AbortSignal;
  }): Promise<{ value: unknown }>;
}
