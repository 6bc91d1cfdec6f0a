/**
 * get_image (snapshot or long-poll), cancel_pipeline and propose_concepts. get_image is an image tool: once
 * its pipeline has made the image it answers with the image and text only, no `structuredContent`, because
 * Claude Code drops every content block (the image too) when `structuredContent` is present
 * (anthropics/claude-code#54737); before that, and for cancel_pipeline and propose_concepts, the snapshot
 * comes as `structuredContent` too. Optional fields are left out rather than null: `type: ["string",
 * "null"]` in an output schema is flagged by strict hosts.
 * @module
 */
import { z } from 'zod';
import { defineTool } from '../mcp/defineTool.js';
import type { ToolResponse } from '../mcp/toolResponse.js';
import type { StudioToolContext } from './context.js';
import { galleryToolMeta } from './mcpApp.js';
import { snapshotOf } from './pipelineRun.js';
import { renderImages } from './renderImages.js';

const snapshotSchema = z.object({
  pipeline_id: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
  progress_percent: z.number(),
  stage: z.string().optional(),
  // Open objects: started_at, finished_at (stages) and url, path, thumbnail (results) come when known.
  stages: z.array(z.object({ name: z.string(), state: z.string() }).passthrough()),
  results: z.array(z.object({ image_id: z.string() }).passthrough()),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const getImage = defineTool({
  name: 'get_image',
  title: 'Get a pipeline result',
  description:
    "A pipeline's status and result (generate_image_async, or handed over by generate_image): progress, then the image or the error.",
  inputSchema: z.object({
    pipeline_id: z.string().min(1).describe('A pipeline id (pl_…).'),
    wait_seconds: z.number().min(0).max(270).default(0).describe('Seconds to wait for the end (0 answers at once).'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  _meta: galleryToolMeta,
  async handle(ctx: StudioToolContext, params, res) {
    const [record] = await ctx.pipelines.wait(
      [params.pipeline_id],
      ctx.call,
      params.wait_seconds * 1000,
      ctx.call.signal,
    );
    await respondWithSnapshot(ctx, record, res, { structuredWithImage: false });
  },
});

export const cancelPipeline = defineTool({
  name: 'cancel_pipeline',
  title: 'Cancel a pipeline',
  description:
    'Stop a queued or running pipeline: its Gemini call is aborted, unbilled (in enhance, the billed draft is kept).',
  inputSchema: z.object({ pipeline_id: z.string().min(1).describe('A pipeline id (pl_…).') }),
  outputSchema: snapshotSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handle(ctx: StudioToolContext, params, res) {
    const record = await ctx.pipelines.cancel(params.pipeline_id, ctx.call);
    await respondWithSnapshot(ctx, record, res, { structuredWithImage: true });
  },
});

export const proposeConcepts = defineTool({
  name: 'propose_concepts',
  title: 'Propose image concepts',
  description:
    'Before paying for renders: a rough idea into 1-4 concepts (title, refined prompt, keywords) by a text model (under a cent); then generate_image with a concept_id.',
  inputSchema: z.object({
    prompt: z.string().min(1).max(4000).describe('The rough idea, or feedback on the previous concepts.'),
    conversation_id: z.string().optional().describe('From an earlier answer: refine those concepts with feedback.'),
    count: z.number().int().min(1).max(4).default(1).describe('How many concepts.'),
  }),
  outputSchema: z.object({
    pipeline_id: z.string(),
    conversation_id: z.string(),
    concepts: z.array(
      z.object({ id: z.string(), title: z.string(), refined_prompt: z.string(), keywords: z.array(z.string()) }),
    ),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handle(ctx: StudioToolContext, params, res) {
    const result = await ctx.pipelines.proposeConcepts(
      { prompt: params.prompt, count: params.count, conversationId: params.conversation_id },
      ctx.call,
      ctx.call.signal,
    );
    const concepts = result.concepts.map((c) => ({
      id: c.id,
      title: c.title,
      refined_prompt: c.refinedPrompt,
      keywords: c.keywords,
    }));
    res.addText(
      [
        ...concepts.map((c) => `${c.id} — ${c.title}\n${c.refined_prompt}\nkeywords: ${c.keywords.join(', ')}`),
        `Generate one with generate_image {"concept_id": "<id>"}; refine with propose_concepts {"conversation_id": "${result.conversationId}", "prompt": "<feedback>"}.`,
      ].join('\n\n'),
    );
    res.setStructured({ pipeline_id: result.pipeline.id, conversation_id: result.conversationId, concepts });
  },
});

async function respondWithSnapshot(
  ctx: StudioToolContext,
  record: Parameters<typeof snapshotOf>[1] | undefined,
  res: ToolResponse,
  options: { structuredWithImage: boolean },
): Promise<void> {
  if (!record) throw new Error('pipeline vanished');
  const { image, structured } = await snapshotOf(ctx, record);
  const line = `Pipeline ${record.id}: ${record.status}${record.stage && record.status === 'running' ? ` (${record.stage}, ${record.progressPercent}%)` : ''}.`;
  if (image) {
    // What the pipeline left out on the way (an enhance that failed, was cancelled or had no budget).
    const notes = (record.stages ?? [])
      .filter((st) => st.name === 'enhance-image' && st.state === 'skipped' && st.error)
      .map((st) => st.error as string);
    await renderImages(ctx, [image], res, { heading: [line, ...notes].join('\n') });
  } else {
    const next =
      record.status === 'queued' || record.status === 'running'
        ? ctx.pipelines.stopping
          ? ' This server is stopping: call get_image again in a moment (another instance, or this one once restarted, answers; the pipeline goes on).'
          : ' Call get_image again with wait_seconds to wait for it.'
        : record.error
          ? ` ${record.error}`
          : '';
    res.addText(`${line}${next}`);
  }
  if (!image || options.structuredWithImage) res.setStructured(structured);
}

export const pipelineTools = [getImage, cancelPipeline, proposeConcepts];
