/**
 * What a pipeline run owes the ledger and the budget beyond its own billed calls: the call an earlier run
 * had sent when its instance died (recorded `interrupted` by the run that takes over), the budget hold
 * of the call it must make (from submit until it runs), and the stages a hand-back resets.
 * @module
 */
import type { Logger } from '../logger.js';
import type { SpendingGuard } from '../spending.js';
import { decodeSpec, type ImagePipelineSpec } from './spec.js';
import type { PipelineRecord, StageName, StageRecord } from './types.js';

/** Stages whose call Google bills. */
const BILLED_STAGES: readonly StageName[] = ['generate', 'enhance-image'];

/**
 * The billed Gemini call a pipeline must make (the budget holds it from submit until it runs). Not the
 * enhance pass: a budget with no room for it keeps the draft instead.
 */
export function billedCallsOf(pipelineId: string, spec: ImagePipelineSpec | undefined) {
  return spec ? [{ job: spec.job, kind: spec.job.kind, pipelineId }] : [];
}

export function callKeyOf(call: { kind: string; pipelineId: string }): string {
  return `${call.pipelineId}:${call.kind}`;
}

/** The stages with the one that was running back to pending (a hand-back: the next run does it again). */
export function pendingAgain(stages: StageRecord[]): StageRecord[] {
  return stages.map((s) => (s.state === 'running' ? { ...s, state: 'pending' as const, progress: 0 } : s));
}

/** The billed stages an earlier run left running: their call was sent, and its answer never came. */
export function unansweredStages(stages: StageRecord[]): StageRecord[] {
  return stages.filter((s) => s.state === 'running' && BILLED_STAGES.includes(s.name));
}

/** Writes those calls to the ledger as `interrupted`, once (the row id names the pipeline, kind and attempt). */
export async function recordUnanswered(
  spending: SpendingGuard | undefined,
  spec: ImagePipelineSpec,
  run: { pipelineId: string; earlierAttempt: number; stages: StageRecord[] },
  log: Pick<Logger, 'warn'>,
): Promise<void> {
  for (const stage of run.stages) {
    const kind = stage.name === 'generate' ? spec.job.kind : 'enhance';
    await spending
      ?.recordInterrupted(spec.job, { kind, pipelineId: run.pipelineId, attempt: run.earlierAttempt })
      .catch((err) => log.warn({ err, pipeline: run.pipelineId }, 'interrupted call not recorded in the ledger'));
  }
}

/** Calls a finished pipeline will not make no longer hold the budget (see `SpendingGuard.holdBatch`). */
export async function releaseHolds(
  spending: SpendingGuard | undefined,
  record: PipelineRecord,
  log: Logger,
): Promise<void> {
  if (record.kind !== 'image' || !spending) return;
  await spending
    .releaseCalls(record.ownerId, billedCallsOf(record.id, decodeSpec(record.input)).map(callKeyOf))
    .catch((err) => log.warn({ err, pipeline: record.id }, 'budget holds not released; they expire'));
}
