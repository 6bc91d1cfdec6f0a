/**
 * propose_concepts as a pipeline: the architect stage runs at once (it is quick) and is recorded like any
 * pipeline; the concepts are stored as `<pipelineId>#<i>` under a conversation, so a later turn builds on
 * the earlier ones.
 * @module
 */

import { type AppError, asAppError, CancelledError, NotFoundError } from '../errors.js';
import { proposeConcepts } from './architect.js';
import { requestOrigin } from './requestOrigin.js';
import type {
  ConceptRecord,
  JsonGenerator,
  PipelineRecord,
  PipelineRepository,
  PipelineUpdate,
  StageRecord,
} from './types.js';

export interface ProposeConceptsInput {
  prompt: string;
  count: number;
  conversationId?: string;
}

export interface ConceptPipelineDeps {
  repo: PipelineRepository;
  text: JsonGenerator;
  textModel: string;
  styleGuide?: string;
  newPipelineId: () => string;
  now: () => string;
  /** The engine's own update and finish, so changes are announced like every other pipeline's. */
  update: (id: string, update: PipelineUpdate) => Promise<PipelineRecord>;
  finish: (record: PipelineRecord, status: 'failed' | 'cancelled', error: AppError) => Promise<PipelineRecord>;
}

export async function runProposeConcepts(
  deps: ConceptPipelineDeps,
  input: ProposeConceptsInput,
  caller: { ownerId: string },
  signal?: AbortSignal,
): Promise<{ pipeline: PipelineRecord; conversationId: string; concepts: ConceptRecord[] }> {
  const id = deps.newPipelineId();
  const conversationId = input.conversationId?.trim() || id;
  const earlier = input.conversationId ? await deps.repo.conceptsOfConversation(conversationId, caller.ownerId) : [];
  if (input.conversationId && earlier.length === 0) {
    throw new NotFoundError(`No conversation "${input.conversationId}". Leave conversation_id out to start one.`);
  }
  const now = deps.now();
  const stage: StageRecord = { name: 'architect', state: 'running', progress: 0, startedAt: now, finishedAt: null };
  const record: PipelineRecord = {
    id,
    ownerId: caller.ownerId,
    kind: 'concepts',
    batchId: id,
    status: 'running',
    stage: 'architect',
    progressPercent: 0,
    stages: [stage],
    input: JSON.stringify({ ...input, conversationId }),
    resultImageId: null,
    error: null,
    errorCode: null,
    attempts: 1,
    createdAt: now,
    updatedAt: now,
    startedAt: now,
    finishedAt: null,
    cancelRequestedAt: null,
    runBy: null,
    ...requestOrigin(),
  };
  await deps.repo.insert([record]);
  try {
    const proposed = await proposeConcepts(deps.text, {
      model: deps.textModel,
      prompt: input.prompt,
      count: input.count,
      earlier,
      styleGuide: deps.styleGuide,
      signal,
      billing: { ownerId: caller.ownerId, pipelineId: id },
    });
    const concepts: ConceptRecord[] = proposed.map((c, i) => ({
      id: `${id}#${i}`,
      pipelineId: id,
      ownerId: caller.ownerId,
      conversationId,
      request: input.prompt,
      title: c.title,
      refinedPrompt: c.refined_prompt,
      keywords: c.keywords,
      createdAt: deps.now(),
    }));
    await deps.repo.insertConcepts(concepts);
    const done = await deps.update(id, {
      status: 'completed',
      stage: null,
      progressPercent: 100,
      stages: [
        { ...stage, state: 'completed', progress: 100, finishedAt: deps.now(), output: { concepts: concepts.length } },
      ],
      finishedAt: deps.now(),
    });
    return { pipeline: done, conversationId, concepts };
  } catch (error) {
    const appError = asAppError(error);
    await deps.finish(record, appError instanceof CancelledError ? 'cancelled' : 'failed', appError);
    throw appError;
  }
}

/** A concept the caller may use (their own; admins any). */
export async function findConcept(
  repo: PipelineRepository,
  id: string,
  caller: { ownerId: string; isAdmin?: boolean },
): Promise<ConceptRecord> {
  const concept = await repo.getConcept(id.trim());
  if (!concept || (!caller.isAdmin && concept.ownerId !== caller.ownerId)) {
    throw new NotFoundError(`No concept "${id}". Use an id that propose_concepts returned, like "pl_…#0".`);
  }
  return concept;
}
