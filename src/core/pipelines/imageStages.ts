/**
 * What each stage of an image pipeline does (engineer-prompt, generate, enhance-image, store); the
 * engine runs them in order and records their state.
 * @module
 */
import { AppError, BudgetExceededError } from '../errors.js';
import { callGemini, enhance, type ImageJobDeps, storeResult, toAppError } from '../imageJobs.js';
import type { Logger } from '../logger.js';
import type { GenerateImageResult } from '../ports.js';
import { billedCall, type SpendingGuard } from '../spending.js';
import { engineerPrompt } from './promptEngineer.js';
import type { ImagePipelineSpec } from './spec.js';
import type { JsonGenerator, StageName, StageRecord } from './types.js';

export interface ImageStageDeps {
  jobs: ImageJobDeps;
  text: JsonGenerator;
  textModel: string;
  styleGuide?: string;
  spending?: SpendingGuard;
  log: Logger;
}

/** Where the run stands: the prompt to draw, the image made so far, and how many image calls were billed. */
export interface ImageRunState {
  spec: ImagePipelineSpec;
  pipelineId: string;
  ownerId: string;
  prompt: string;
  result: GenerateImageResult | undefined;
  calls: number;
  signal: AbortSignal;
  onRetry: () => void;
}

export interface StageOutcome {
  prompt: string;
  result: GenerateImageResult | undefined;
  calls: number;
  state: StageRecord['state'];
  output?: Record<string, unknown>;
  note?: string;
}

export async function runImageStage(deps: ImageStageDeps, name: StageName, run: ImageRunState): Promise<StageOutcome> {
  const { spec, signal, onRetry, pipelineId: id } = run;
  let { prompt, result, calls } = run;
  let output: Record<string, unknown> | undefined;
  let state: StageRecord['state'] = 'completed';
  let note: string | undefined;
  switch (name) {
    case 'engineer-prompt':
      try {
        prompt = await engineerPrompt(deps.text, {
          model: deps.textModel,
          styleGuide: deps.styleGuide,
          prompt: spec.job.prompt,
          signal,
          billing: { ownerId: run.ownerId, pipelineId: id },
        });
        output = { prompt };
      } catch (error) {
        if (signal.aborted) throw error;
        // A failed rewrite is no reason to lose the image: fall back to the prompt as written.
        state = 'skipped';
        note = `The text model could not rewrite the prompt (${toAppError(error).message}); the prompt was used as written.`;
        deps.log.warn({ pipeline: id, err: note }, 'engineer-prompt skipped');
      }
      break;
    case 'generate':
      // A rerun after a crash calls Gemini again, and is billed (and ledgered) again.
      result = await billedCall(deps.spending, spec.job, { kind: spec.job.kind, pipelineId: id }, () =>
        callGemini(deps.jobs, spec.job, { prompt, signal, onRetry }),
      );
      calls += 1;
      break;
    case 'enhance-image': {
      if (!result) throw new AppError('Nothing to enhance: the generate stage produced no image.');
      const draft = result;
      try {
        result = await billedCall(deps.spending, spec.job, { kind: 'enhance', pipelineId: id }, () =>
          enhance(deps.jobs, spec.job, draft, { signal, onRetry }),
        );
        calls += 1;
      } catch (error) {
        // The draft is billed already: a budget that has no room for the second call keeps the draft.
        if (!(error instanceof BudgetExceededError)) throw error;
        state = 'skipped';
        note = `Not enhanced: ${error.message.replace(/ This call was not sent.*$/, '')} The draft was stored as it is.`;
      }
      break;
    }
    case 'store':
      if (!result) throw new AppError('Nothing to store: the generate stage produced no image.');
      await storeResult(deps.jobs, spec.job, result, { prompt, calls });
      break;
    case 'architect':
      throw new AppError('An architect stage cannot run in an image pipeline.');
  }
  return { prompt, result, calls, state, ...(output ? { output } : {}), ...(note ? { note } : {}) };
}
