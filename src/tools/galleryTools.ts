/**
 * list_images and image_info: read-only tools that let an assistant refer back to earlier images.
 * @module
 */
import { z } from 'zod';
import { defineTool } from '../mcp/defineTool.js';
import type { StudioToolContext } from './context.js';
import { describeImage, renderImages } from './renderImages.js';

export const listImages = defineTool({
  name: 'list_images',
  title: 'List recent images',
  description: 'Images made so far, newest first (ids, prompts, links), to refer back.',
  inputSchema: z.object({
    limit: z.number().int().min(1).max(50).default(10).describe('How many images.'),
    search: z.string().max(200).optional().describe('Only prompts containing this (any case).'),
    cursor: z.string().max(200).optional().describe('next_cursor of a previous answer.'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handle(ctx: StudioToolContext, params, res) {
    const page = await ctx.studio.list(ctx.call, { limit: params.limit, search: params.search, cursor: params.cursor });
    if (page.images.length === 0) {
      res.addText(
        params.search ? `No images match "${params.search}".` : 'No images yet. Use generate_image to make one.',
      );
      return;
    }
    const lines = await Promise.all(
      page.images.map(async (record) => describeImage(ctx, record, { url: await ctx.imageUrl(record) })),
    );
    if (page.nextCursor) lines.push(`More images: call list_images with cursor "${page.nextCursor}".`);
    res.addText(lines.join('\n\n'));
  },
});

export const imageInfo = defineTool({
  name: 'image_info',
  title: 'Show one image',
  description: 'One image: prompt, model, size, cost, links, lineage (source, edits), preview.',
  inputSchema: z.object({
    id: z.string().min(1).describe('The image id (img_…).'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handle(ctx: StudioToolContext, params, res) {
    const record = await ctx.studio.get(params.id.trim(), ctx.call);
    const children = await ctx.studio.children(record.id, ctx.call);
    const data = await ctx.studio.readImage(record);
    const lineage = children.length
      ? `Edits made from it: ${children.map((c) => c.id).join(', ')}`
      : 'No edits have been made from it yet.';
    await renderImages(ctx, [{ record, data }], res, { heading: undefined });
    res.addText(lineage);
  },
});

export const galleryTools = [listImages, imageInfo];
