/**
 * generate_image and edit_image: the two tools that spend money. Descriptions steer the assistant to the
 * cheap default and to Pro only on request.
 * @module
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { ALL_ASPECT_RATIOS, THINKING_LEVELS } from '../core/models.js';
import type { CommonImageOptions, StudioResult } from '../core/studio.js';
import { defineTool } from '../mcp/defineTool.js';
import type { ToolResponse } from '../mcp/toolResponse.js';
import type { StudioToolContext } from './context.js';
import { renderImages } from './renderImages.js';

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
    .describe('Images to draw from: ids returned by earlier calls (img_…), or on a local server absolute file paths.'),
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
    .describe('Local server only: also save the image to this file or folder (inside the allowed folders).'),
  return_full_image: z
    .boolean()
    .optional()
    .describe('Inline the full-resolution image instead of a preview when it fits the client limit. Default false.'),
  seed: z.number().int().min(0).max(2_147_483_647).optional().describe('Seed for more repeatable results.'),
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
  seed?: number;
};

export const generateImage = defineTool({
  name: 'generate_image',
  title: 'Generate images',
  description:
    'Create 1 to 4 new images from a text prompt with Google Gemini (Nano Banana). Use it whenever the person asks for a picture, illustration, photo, logo, icon or sticker. Returns each image id, a preview, and a link or file path to the full image. Keep the defaults (Nano Banana 2 at 1K) unless the person asks otherwise; choose model "pro" only when they ask for Pro or the highest quality. To change an existing image, use edit_image instead.',
  inputSchema: z.object({
    prompt: z
      .string()
      .min(1)
      .max(8192)
      .describe('What to draw: subject, setting, style, lighting, composition, any text.'),
    n: z
      .number()
      .int()
      .min(1)
      .max(4)
      .default(1)
      .describe('How many images (1 to 4), generated in parallel; each is billed.'),
    ...commonFields,
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handle(ctx: StudioToolContext, params, res) {
    const result = await ctx.studio.generate(
      { prompt: params.prompt, n: params.n, ...commonOptions(ctx, params) },
      ctx.call,
    );
    await respond(ctx, result, res, params.return_full_image);
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
      .describe('The image to edit: its id (img_…) or, on a local server, an absolute file path.'),
    instruction: z.string().min(1).max(8192).describe('What to change, in plain words.'),
    ...commonFields,
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handle(ctx: StudioToolContext, params, res) {
    const result = await ctx.studio.edit(
      { image: params.image, instruction: params.instruction, ...commonOptions(ctx, params) },
      ctx.call,
    );
    await respond(ctx, result, res, params.return_full_image);
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
  };
}

async function respond(ctx: StudioToolContext, result: StudioResult, res: ToolResponse, returnFull?: boolean) {
  const heading =
    result.failures.length > 0
      ? `${result.images.length} of ${result.images.length + result.failures.length} images were made. The others failed: ${result.failures.map((f) => f.message).join(' | ')}`
      : undefined;
  await renderImages(ctx, result.images, res, { returnFullImage: returnFull, heading });
}

export const imageTools = [generateImage, editImage];
