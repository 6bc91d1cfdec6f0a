/**
 * The stages of a pipeline and what follows from them: which stages a spec has, the overall progress
 * (stages weighted by their usual share of the time), whether a pipeline is over, and the signal that
 * tells other instances it changed.
 * @module
 */

import type { AppError } from '../errors.js';
import { requestOrigin } from './requestOrigin.js';
import { encodeSpec, type ImagePipelineSpec } from './spec.js';
import {
  type PipelineRecord,
  type PipelineSignal,
  type StageName,
  type StageRecord,
  TERMINAL_STATUSES,
} from './types.js';

const WEIGHTS: Record<StageName, number> = {
  architect: 100,
  'engineer-prompt': 15,
  generate: 60,
  'enhance-image': 40,
  'colour-adjust': 5,
  store: 10,
};

export function signalOf(record: PipelineRecord, from: string): PipelineSignal {
  return { id: record.id, status: record.status, updatedAt: record.updatedAt, from };
}

export function isTerminal(record: PipelineRecord | undefined): boolean {
  return record !== undefined && TERMINAL_STATUSES.includes(record.status);
}

export function stagesFor(spec: ImagePipelineSpec): StageRecord[] {
  const names: StageName[] = [
    ...(spec.autoStyle ? (['engineer-prompt'] as const) : []),
    'generate',
    ...(spec.enhance ? (['enhance-image'] as const) : []),
    ...(spec.palette?.length ? (['colour-adjust'] as const) : []),
    'store',
  ];
  return names.map((name) => ({ name, state: 'pending', progress: 0, startedAt: null, finishedAt: null }));
}

export function progressOf(stages: StageRecord[]): number {
  const total = stages.reduce((sum, s) => sum + WEIGHTS[s.name], 0);
  const done = stages.reduce(
    (sum, s) =>
      sum + (s.state === 'completed' || s.state === 'skipped' ? WEIGHTS[s.name] : (WEIGHTS[s.name] * s.progress) / 100),
    0,
  );
  return total === 0 ? 0 : Math.min(99, Math.floor((done / total) * 100));
}

/** The record with one stage changed, in memory (the engine stores it with the next change). */
export function withStage(record: PipelineRecord, name: StageName, change: Partial<StageRecord>): PipelineRecord {
  return { ...record, stages: record.stages.map((s) => (s.name === name ? { ...s, ...change } : s)) };
}

/** A new image pipeline, queued. */
export function queuedRecord(
  id: string,
  ownerId: string,
  batchId: string,
  spec: ImagePipelineSpec,
  now: string,
): PipelineRecord {
  return {
    id,
    ownerId,
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
    // The request that made it (id and trace), for its log lines, error reference and spans.
    ...requestOrigin(),
  };
}

/** The change that completes a pipeline: the stages left pending count as done. */
export function completedUpdate(record: PipelineRecord, now: string) {
  const stages = record.stages.map((s) =>
    s.state === 'pending' ? { ...s, state: 'completed' as const, progress: 100 } : s,
  );
  return {
    status: 'completed' as const,
    stage: null,
    stages,
    progressPercent: 100,
    finishedAt: now,
    error: null,
    errorCode: null,
  };
}

/** The change that fails or cancels a pipeline: the running stage fails (or is cancelled), with the error. */
export function endedUpdate(record: PipelineRecord, status: 'failed' | 'cancelled', error: AppError, now: string) {
  const stages = record.stages.map((s) =>
    s.state === 'running' || s.state === 'pending'
      ? {
          ...s,
          state:
            status === 'cancelled' ? ('cancelled' as const) : s.state === 'running' ? ('failed' as const) : s.state,
          finishedAt: s.state === 'running' ? now : s.finishedAt,
        }
      : s,
  );
  return { status, stages, finishedAt: now, error: error.message, errorCode: error.code, resultImageId: null };
}
