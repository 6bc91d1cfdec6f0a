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
import { WRITE_RULE } from './pathRule.js';
import { runPipelinesAndRespond } from './pipelineRun.js';

/** The fields generate_image and edit_image share, without their texts (said once, on generate_image). */
const commonFields = {
  // A string, not an enum: the list is said once in the text, and the core checks it per model (and reads
  // "16x9" too).
  aspect_ratio: z.string().max(10).optional(),
  image_size: z.string().optional(),
  model: z.string().optional(),
  negative_prompt: z.string().max(2000).optional(),
  system_instruction: z.string().max(4000).optional(),
  reference_images: z.array(z.string().min(1)).max(14).optional(),
  thinking_level: z.string().optional(),
  grounding: z.boolean().optional(),
  output_path: z.string().optional(),
  overwrite: z.boolean().optional(),
  return_full_image: z.boolean().optional(),
  seed: z.number().int().min(0).max(2_147_483_647).optional(),
  // Bounds checked where the palette is resolved (a name or up to 12 hex colours); not repeated in the list.
  palette: z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(7)).min(1).max(12)]).optional(),
};

const commonTexts: Record<keyof typeof commonFields, string> = {
  aspect_ratio: `${ALL_ASPECT_RATIOS.join(' ')}. Default 1:1 (edits: kept). 1:4 4:1 1:8 8:1 only on nb2, nb2.1, lite.`,
  image_size: '512, 1K (default), 2K, 4K; 512 only on nb2; lite 1K only.',
  model: 'Unset unless named: nb2.1 (default), pro (~2× price), lite (cheapest, 1K), nb2 (deprecated), or a model id.',
  negative_prompt: 'What to leave out.',
  system_instruction: 'Standing rules for the model (style).',
  reference_images: "Images to draw from: img_…/upl_… ids, or local server paths (upload_file's path rule).",
  thinking_level: `${THINKING_LEVELS.join(', ')} (varies by model; not pro).`,
  grounding: 'Ground in Google Search (news, places).',
  output_path: `Local server: also save to this file or folder (${WRITE_RULE}; not the data folder). A file there is kept (copy -2…) unless overwrite.`,
  overwrite: 'Replace an existing output_path file.',
  return_full_image: 'Full resolution instead of a preview, if it fits.',
  seed: 'For repeatability.',
  palette: 'Brand colours applied after (free): a saved palette name or hex colours ["#E4572E", …].',
};

/** The shared fields with their texts: only generate_image carries them (the tool list is sent with every conversation). */
const describedCommonFields = described(commonFields, commonTexts);

function described<T extends Record<string, z.ZodType>>(fields: T, texts: Record<keyof T, string>): T {
  return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.describe(texts[k as keyof T])])) as T;
}

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

const ENHANCE_TEXT = 'A second pass for detail and light (same composition), billed as another image.';

const generateFields = {
  prompt: z.string().max(8192).optional(),
  concept_id: z.string().optional(),
  refinement: z.string().max(2000).optional(),
  n: z.number().int().min(1).max(4).optional(),
  // Synonyms for models that guess these names: accepted, not listed (src/mcp/compactSchema.ts).
  iterations: z.number().int().min(1).max(4).optional().meta({ unlisted: true }),
  resolution: z.string().optional().meta({ unlisted: true }),
  auto_style: z.boolean().optional(),
  enhance: z.boolean().optional(),
  style: z.string().min(1).max(64).optional(),
};

const generateTexts: Record<keyof typeof generateFields, string> = {
  prompt: 'What to draw (subject, setting, style, light, composition, text). Required unless concept_id.',
  concept_id: 'From propose_concepts ("pl_…#0"), instead of prompt.',
  refinement: 'Tweak on concept_id ("warmer light").',
  n: 'Images (default 1), each billed.',
  iterations: '= n.',
  resolution: '= image_size.',
  auto_style: 'Detail the prompt with a text model first (default on; under a cent).',
  enhance: ENHANCE_TEXT,
  style: 'A studio style: the prompt is rewritten to follow it.',
};

const generateSchema = z.object({ ...described(generateFields, generateTexts), ...describedCommonFields });
/** generate_image_async takes the same fields; its description points to generate_image's texts. */
const generateAsyncSchema = z.object({ ...generateFields, ...commonFields });

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
    'Create 1-4 images (picture, photo, logo, icon, sticker) from a prompt with Gemini (Nano Banana): ids, previews, links or paths. Model "pro" only when they ask for Pro. Past a time limit: running pipeline ids for get_image. Changes: edit_image.',
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
  title: 'Generate images in the background',
  description:
    'generate_image without waiting (same fields, described there): returns pipeline_ids at once for get_image (wait_seconds long-polls) or cancel_pipeline.',
  inputSchema: generateAsyncSchema,
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
    'Change an image by instruction ("make it night"), in its conversation with the model (consistent edits, lineage kept). Keeps model, size, ratio unless set; other fields as in generate_image.',
  inputSchema: z.object({
    image: z.string().min(1).describe("img_… or upl_… id, or a local server file path (upload_file's path rule)."),
    instruction: z.string().min(1).max(8192).describe('What to change, in plain words.'),
    enhance: z.boolean().optional(),
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
