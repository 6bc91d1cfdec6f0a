/**
 * generate_image and edit_image: the two tools that spend money. Descriptions steer the assistant to the
 * cheap default and to Pro only on request.
 * @module
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { ALL_ASPECT_RATIOS, THINKING_LEVELS } from '../core/models.js';
import type { ImagePipelineSpec } from '../core/pipelines/spec.js';
import type { CommonImageOptions } from '../core/studio.js';
import { defineTool } from '../mcp/defineTool.js';
import type { StudioToolContext } from './context.js';
import { galleryToolMeta } from './mcpApp.js';
import { READ_RULE, WRITE_RULE } from './pathRule.js';
import { runPipelinesAndRespond } from './pipelineRun.js';

const commonFields = {
  aspect_ratio: z
    .enum(ALL_ASPECT_RATIOS)
    .optional()
    .describe(
      'Width:height. Default 1:1 (for edits: the original ratio). 1:4, 4:1, 1:8 and 8:1 only on nb2, nb2.1 and lite.',
    ),
  image_size: z
    .string()
    .optional()
    .describe('Resolution tier: 512, 1K (default), 2K or 4K, any case. 512 only on nb2; lite and nb1 are 1K only.'),
  model: z
    .string()
    .optional()
    .describe(
      'Leave unset unless the person named a model. Aliases: nb2 (default, Nano Banana 2), pro (Nano Banana Pro: only when the person asks for Pro; about twice the price), nb2.1, lite (cheapest, 1K), nb1 (legacy). Full model ids work too.',
    ),
  negative_prompt: z.string().max(2000).optional().describe('What the image must not contain.'),
  system_instruction: z.string().max(4000).optional().describe('Standing instructions for the model (style, rules).'),
  reference_images: z
    .array(z.string().min(1))
    .max(14)
    .optional()
    .describe(
      `Images to draw from: image ids from earlier calls (img_…), upload ids from upload_file (upl_…), or on a local server file paths (absolute or ~/…; ${READ_RULE}).`,
    ),
  thinking_level: z
    .string()
    .optional()
    .describe(
      `How hard the model thinks before drawing: ${THINKING_LEVELS.join(', ')} (support varies by model; pro takes none).`,
    ),
  grounding: z
    .boolean()
    .optional()
    .describe('Ground the image in Google Search results (current events, real places).'),
  output_path: z
    .string()
    .optional()
    .describe(
      `Local server only: also save the image to this file or folder (${WRITE_RULE}; never the studio data folder). A file already there is kept and the copy gets a new name (-2, -3, …) unless overwrite is true.`,
    ),
  overwrite: z
    .boolean()
    .optional()
    .describe('With output_path: replace a file that is already there. Default false (it is kept).'),
  return_full_image: z
    .boolean()
    .optional()
    .describe('Inline the full-resolution image instead of a preview when it fits the client limit. Default false.'),
  seed: z.number().int().min(0).max(2_147_483_647).optional().describe('Seed for more repeatable results.'),
  palette: z
    .union([z.string().min(1).max(200), z.array(z.string().min(1).max(7)).min(1).max(12)])
    .optional()
    .describe(
      'Brand colours to apply after generation (colour-adjust stage: hues near each colour are mapped onto it, lightness kept): the name of a palette saved in the studio, or hex colours like ["#E4572E", "#29335C"]. Free (no model call).',
    ),
};

type CommonParams = {
  aspect_ratio?: string;
  image_size?: string;
  model?: string;
  negative_prompt?: string;
  system_instruction?: string;
  reference_images?: string[];
  thinking_level?: string;
  grounding?: boolean;
  output_path?: string;
  overwrite?: boolean;
  seed?: number;
  palette?: string | string[];
};

const enhanceField = z
  .boolean()
  .optional()
  .describe(
    'Run the enhance-image stage: a second pass by the same model that sharpens detail and polishes lighting while keeping the composition. It is a second billed image (twice the cost). Default false.',
  );

const generateSchema = z.object({
  prompt: z
    .string()
    .max(8192)
    .optional()
    .describe(
      'What to draw: subject, setting, style, lighting, composition, any text. Required unless concept_id is given.',
    ),
  concept_id: z
    .string()
    .optional()
    .describe('A concept id from propose_concepts ("pl_…#0"): its refined prompt is used instead of prompt.'),
  refinement: z
    .string()
    .max(2000)
    .optional()
    .describe('A tweak applied on top of the concept ("warmer light", "no text").'),
  n: z
    .number()
    .int()
    .min(1)
    .max(4)
    .optional()
    .describe('How many images (1 to 4, default 1), generated in parallel; each is billed.'),
  iterations: z.number().int().min(1).max(4).optional().describe('Synonym of n.'),
  resolution: z.string().optional().describe('Synonym of image_size.'),
  auto_style: z
    .boolean()
    .optional()
    .describe(
      'Let the text model rewrite a raw prompt into a detailed one first (engineer-prompt stage; on by default, a few hundredths of a cent). Set false to send the prompt exactly as written.',
    ),
  enhance: enhanceField,
  style: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe(
      'The name of a style saved in the studio (learned from reference images): the engineer-prompt stage rewrites the prompt to follow its guide (also for a concept).',
    ),
  ...commonFields,
});

type GenerateParams = z.infer<typeof generateSchema>;

/** One pipeline spec per image. Validation errors surface here, before anything is queued. */
async function generationSpecs(ctx: StudioToolContext, params: GenerateParams): Promise<ImagePipelineSpec[]> {
  if (params.n !== undefined && params.iterations !== undefined && params.n !== params.iterations) {
    throw new InvalidInputError(`n (${params.n}) and iterations (${params.iterations}) disagree; give one of them.`);
  }
  if (params.image_size !== undefined && params.resolution !== undefined && params.image_size !== params.resolution) {
    throw new InvalidInputError(
      `image_size (${params.image_size}) and resolution (${params.resolution}) disagree; give one of them.`,
    );
  }
  let prompt = params.prompt?.trim() ?? '';
  let conceptId: string | undefined;
  if (params.concept_id) {
    const concept = await ctx.pipelines.concept(params.concept_id, ctx.call);
    conceptId = concept.id;
    prompt = params.refinement
      ? `${concept.refinedPrompt}\n\nRefinement: ${params.refinement.trim()}`
      : concept.refinedPrompt;
  } else if (params.refinement) {
    throw new InvalidInputError(
      'refinement applies to a concept: give concept_id too, or put the tweak in the prompt.',
    );
  }
  if (!prompt) throw new InvalidInputError('Give a prompt (what to draw) or a concept_id from propose_concepts.');
  const jobs = await ctx.studio.planGeneration(
    {
      prompt,
      n: params.n ?? params.iterations ?? 1,
      ...commonOptions(ctx, { ...params, image_size: params.image_size ?? params.resolution }),
    },
    ctx.call,
  );
  const style = params.style ? await libraryOf(ctx).resolveStyle(params.style, ctx.call) : undefined;
  if (style && params.auto_style === false)
    throw new InvalidInputError('A style is applied by rewriting the prompt: leave auto_style on, or drop style.');
  // A concept's prompt is already refined; so is one the caller asked to keep as written. A style rewrites both.
  const autoStyle = Boolean(style) || (!conceptId && (params.auto_style ?? ctx.autoStyle));
  const palette = await paletteOf(ctx, params.palette);
  return jobs.map((job) => ({ job, autoStyle, enhance: params.enhance ?? false, conceptId, style, palette }));
}

export const generateImage = defineTool({
  name: 'generate_image',
  title: 'Generate images',
  description:
    'Create 1 to 4 new images from a text prompt with Google Gemini (Nano Banana). Use it whenever the person asks for a picture, illustration, photo, logo, icon or sticker. Returns each image id, a preview, and a link or file path to the full image. Keep the defaults (Nano Banana 2 at 1K) unless the person asks otherwise; choose model "pro" only when they ask for Pro or the highest quality. Blocks until the images are ready (streaming progress) up to a limit, then hands over: the pipeline ids come back with status running, to fetch with get_image. To change an existing image, use edit_image instead.',
  inputSchema: generateSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  _meta: galleryToolMeta,
  async handle(ctx: StudioToolContext, params, res) {
    await runPipelinesAndRespond(ctx, await generationSpecs(ctx, params), res, {
      returnFullImage: params.return_full_image,
    });
  },
});

export const generateImageAsync = defineTool({
  name: 'generate_image_async',
  title: 'Start generating images in the background',
  description:
    'Same input as generate_image, but returns at once with {pipeline_ids, status: "running"} instead of waiting. Use it for slow or bulk work (Pro, 4K, several variations) while you keep talking; fetch each result later with get_image (long-poll with wait_seconds) or stop it with cancel_pipeline.',
  inputSchema: generateSchema,
  outputSchema: z.object({
    pipeline_ids: z.array(z.string()),
    status: z.literal('running'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handle(ctx: StudioToolContext, params, res) {
    const records = await ctx.pipelines.submit(await generationSpecs(ctx, params), ctx.call);
    const ids = records.map((r) => r.id);
    res.addText(
      `Started ${ids.length} pipeline(s): ${ids.join(', ')}. Call get_image with a pipeline_id (wait_seconds up to 270 waits for it) to get each image.`,
    );
    res.setStructured({ pipeline_ids: ids, status: 'running' });
  },
});

export const editImage = defineTool({
  name: 'edit_image',
  title: 'Edit an image',
  description:
    'Change an existing image with an instruction ("make it night", "remove the car", "add a red hat"). Continues that image\'s own conversation with the model, so successive edits stay consistent, and records the lineage. `image` is an id from generate_image, edit_image or list_images (or, on a local server, a file path). Keeps the original model, size and ratio unless you set them.',
  inputSchema: z.object({
    image: z
      .string()
      .min(1)
      .describe(
        `The image to edit: its id (img_…), an upload id (upl_…), or on a local server a file path (absolute or ~/…; ${READ_RULE}).`,
      ),
    instruction: z.string().min(1).max(8192).describe('What to change, in plain words.'),
    enhance: enhanceField,
    ...commonFields,
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  _meta: galleryToolMeta,
  async handle(ctx: StudioToolContext, params, res) {
    const job = await ctx.studio.planEdit(
      { image: params.image, instruction: params.instruction, ...commonOptions(ctx, params) },
      ctx.call,
    );
    const palette = await paletteOf(ctx, params.palette);
    await runPipelinesAndRespond(ctx, [{ job, autoStyle: false, enhance: params.enhance ?? false, palette }], res, {
      returnFullImage: params.return_full_image,
    });
  },
});

function commonOptions(ctx: StudioToolContext, params: CommonParams): CommonImageOptions {
  if (params.output_path !== undefined && ctx.transport !== 'stdio') {
    throw new InvalidInputError(
      'output_path is only available on a local (stdio) server. Over HTTP, use the image URL in the result to download it.',
    );
  }
  return {
    model: params.model,
    imageSize: params.image_size,
    aspectRatio: params.aspect_ratio,
    negativePrompt: params.negative_prompt,
    systemInstruction: params.system_instruction,
    referenceImages: params.reference_images,
    thinkingLevel: params.thinking_level,
    grounding: params.grounding,
    seed: params.seed,
    outputPath: params.output_path,
    overwrite: params.overwrite,
  };
}

function libraryOf(ctx: StudioToolContext) {
  if (!ctx.studio.library) throw new InvalidInputError('This server keeps no palettes or styles.');
  return ctx.studio.library;
}

async function paletteOf(ctx: StudioToolContext, value: string | string[] | undefined): Promise<string[] | undefined> {
  return value === undefined ? undefined : libraryOf(ctx).resolvePalette(value, ctx.call);
}

export const imageTools = [generateImage, generateImageAsync, editImage];
