/**
 * The app-only tools behind the gallery's buttons (MCP Apps `visibility: ['app']`): a variation, an edit and
 * an upscale of the image on show. Each is a thin call into generate_image or edit_image, so planning,
 * pipelines, progress, the synchronous limit and the result layout are exactly theirs.
 * @module
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { defineTool } from '../mcp/defineTool.js';
import type { StudioToolContext } from './context.js';
import { editImage, generateImage } from './imageTools.js';
import { appOnlyToolMeta } from './mcpApp.js';

const imageField = z.string().min(1).describe('The id (img_…) of the image shown in the gallery.');

const annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };

/** The gallery reads each new image in full as a resource, so its results carry no inline preview. */
function forGallery(ctx: StudioToolContext): StudioToolContext {
  return { ...ctx, shape: { ...ctx.shape, imageResponses: 'none' } };
}

/** An upscale is an edit of the image itself, not a regeneration: see the README, "In-chat gallery". */
export const UPSCALE_INSTRUCTION =
  'Render this exact image again at a higher resolution. Keep the composition, framing, subjects, colours, lighting, style and any text exactly as they are; only add finer detail and sharper edges. Do not add, remove or move anything.';

export const appVariation = defineTool({
  name: 'app_variation',
  title: 'Gallery: make a variation',
  description:
    "Used by the in-chat gallery's Variation button (MCP Apps); assistants use generate_image instead. Makes one new image with the same prompt, model, size, ratio and options as the given image and a new seed; for an edited image, the same edit of its parent with a new seed.",
  inputSchema: z.object({ image: imageField }),
  annotations,
  _meta: appOnlyToolMeta,
  async handle(ctx: StudioToolContext, params, res) {
    const record = await ctx.studio.get(params.image, ctx.call);
    const made = JSON.parse(record.options) as {
      systemInstruction?: string;
      referenceImages?: string[];
      thinkingLevel?: string;
      grounding?: boolean;
    };
    const same = {
      model: record.modelAlias,
      image_size: record.imageSize,
      aspect_ratio: record.aspectRatio as z.infer<typeof editImage.inputSchema>['aspect_ratio'],
      negative_prompt: record.negativePrompt ?? undefined,
      system_instruction: made.systemInstruction,
      reference_images: made.referenceImages,
      thinking_level: made.thinkingLevel,
      grounding: made.grounding,
      seed: randomInt(0, 2_147_483_647),
    };
    if (record.kind === 'edit' && record.parentId) {
      await editImage.handle(forGallery(ctx), { image: record.parentId, instruction: record.prompt, ...same }, res);
    } else {
      // The stored prompt is the one Gemini drew from (already rewritten if prompt engineering ran).
      await generateImage.handle(forGallery(ctx), { prompt: record.prompt, auto_style: false, ...same }, res);
    }
  },
});

export const appEdit = defineTool({
  name: 'app_edit',
  title: 'Gallery: edit',
  description:
    "Used by the in-chat gallery's Edit button (MCP Apps); assistants use edit_image instead. Changes the given image with the person's typed instruction, continuing its conversation with the model.",
  inputSchema: z.object({
    image: imageField,
    instruction: z.string().min(1).max(8192).describe('What to change, as the person typed it.'),
  }),
  annotations,
  _meta: appOnlyToolMeta,
  async handle(ctx: StudioToolContext, params, res) {
    await editImage.handle(forGallery(ctx), { image: params.image, instruction: params.instruction }, res);
  },
});

export const appUpscale = defineTool({
  name: 'app_upscale',
  title: 'Gallery: upscale',
  description:
    "Used by the in-chat gallery's Upscale buttons (MCP Apps); assistants use edit_image with image_size instead. An edit that asks the same model for the same image at 2K or 4K, billed as one image at that size.",
  inputSchema: z.object({
    image: imageField,
    size: z.enum(['2K', '4K']).describe('The larger size.'),
  }),
  annotations,
  _meta: appOnlyToolMeta,
  async handle(ctx: StudioToolContext, params, res) {
    await editImage.handle(
      forGallery(ctx),
      { image: params.image, instruction: UPSCALE_INSTRUCTION, image_size: params.size },
      res,
    );
  },
});

export const appTools = [appVariation, appEdit, appUpscale];
