/**
 * Renders stored images into a tool response: for each image a text block with what a person needs
 * (id, model, size, pixels, cost, where the full image is), an inline preview sized so the whole result
 * fits every client, and a resource link to the full image.
 * @module
 */
import { recordIsEmulated } from '../core/emulatedRegistry.js';
import { arrivedBase64 } from '../core/freshImages.js';
import { imageSummary } from '../core/imageSummary.js';
import { makePreview } from '../core/imaging.js';
import type { ImageRecord } from '../core/ports.js';
import type { StudioImage } from '../core/studio.js';
import type { ToolResponse } from '../mcp/toolResponse.js';
import type { StudioToolContext } from './context.js';
import { RESULT_META_KEY, type ResultData } from './mcpApp.js';

/** Room kept for JSON framing and the resource links added after the previews. */
const FRAMING_BYTES = 4_000;

export async function renderImages(
  ctx: StudioToolContext,
  images: StudioImage[],
  res: ToolResponse,
  options: { returnFullImage?: boolean; heading?: string; running?: string[] } = {},
): Promise<void> {
  const lines: string[] = [];
  if (options.heading) lines.push(options.heading);
  // Each notice once, however many images share it.
  const notices = [...new Set(images.flatMap((image) => image.notices ?? []))];
  if (notices.length > 0) lines.push(notices.map((notice) => `Note: ${notice}`).join('\n'));
  const urls = await Promise.all(images.map((image) => ctx.imageUrl(image.record)));
  lines.push(...images.map((image, i) => describeImage(ctx, image.record, { ...image, url: urls[i] })));
  res.addText(lines.join('\n\n'));
  const data: ResultData = {
    images: images.map((image, i) =>
      imageSummary(image.record, ctx.studio.registry, {
        url: urls[i],
        path: storedPath(ctx, image.record, image),
        outputPath: image.outputPath,
        outputKept: image.outputKept,
        outputError: image.outputError,
      }),
    ),
    running_pipelines: options.running ?? [],
  };
  res.setMeta(RESULT_META_KEY, data);
  const mode = options.returnFullImage ? 'full' : ctx.shape.imageResponses;
  if (mode !== 'none' && images.length > 0) {
    const room = ctx.shape.maxResultBytes - res.textBytes() - FRAMING_BYTES * images.length;
    const perImage = Math.min(ctx.shape.maxPreviewBytes, Math.floor(room / images.length));
    const notes: string[] = [];
    const previews = await Promise.all(
      images.map(async (image) => {
        const info = { width: image.record.width, height: image.record.height, mimeType: image.record.mimeType };
        if (mode === 'full' && base64Length(image.data.length) <= perImage) {
          return { data: image.data, mimeType: image.record.mimeType };
        }
        if (mode === 'full')
          notes.push(`${image.record.id}: the full image is too large to inline; a preview is shown.`);
        const first = await image.firstPreview;
        return makePreview(image.data, info, { maxBase64Bytes: perImage, maxEdge: ctx.shape.previewEdge, first });
      }),
    );
    for (const preview of previews)
      if (preview) res.addImage(preview.data, preview.mimeType, arrivedBase64(preview.data));
    if (notes.length) res.addText(notes.join('\n'));
  }
  for (const image of images) {
    res.addResourceLink({
      uri: `images://${image.record.id}`,
      name: `${image.record.id}.${extOf(image.record)}`,
      mimeType: image.record.mimeType,
      description: `Full image, ${image.record.width}x${image.record.height}`,
    });
  }
}

/** An image in words for the assistant; `image.url` is the link to show (see {@link StudioToolContext.imageUrl}). */
export function describeImage(
  ctx: StudioToolContext,
  record: ImageRecord,
  image?: Partial<StudioImage> & { url?: string },
): string {
  const model = ctx.studio.registry.resolve(record.modelId);
  const lines = [
    `Image ${record.id}`,
    `- model: ${model && !model.passThrough ? `${model.name} (${record.modelAlias}, ${record.modelId})` : `${record.modelId} (not in this server’s registry)`}`,
    `- size: ${record.imageSize}, ratio ${record.aspectRatio}, ${record.width}x${record.height} px, ${record.mimeType}, ${formatBytes(record.bytes)}`,
    model?.passThrough
      ? `- estimated cost: unknown (${record.modelId} is not in this server’s price list; Google bills it at its own rate)`
      : recordIsEmulated(record)
        ? `- estimated cost: $${record.costUsd.toFixed(4)} (emulated: a synthetic image from the offline emulator, free)`
        : `- estimated cost: $${record.costUsd.toFixed(4)}`,
  ];
  if (image?.url) lines.push(`- url: ${image.url}`);
  const stored = storedPath(ctx, record, image);
  if (stored) lines.push(`- file: ${stored}`);
  if (image?.outputPath) lines.push(`- saved to: ${image.outputPath}`);
  if (image?.outputError) lines.push(`- not saved to ${image.outputError} (the image is stored in the studio)`);
  if (image?.outputKept)
    lines.push(
      `- kept: ${image.outputKept} was already there and was left as it is (pass overwrite: true to replace it)`,
    );
  if (record.parentId) lines.push(`- edited from: ${record.parentId}`);
  lines.push(`- prompt: ${truncate(record.prompt, 300)}`);
  if (image?.modelText) lines.push(`- model said: ${truncate(image.modelText, 300)}`);
  for (const source of image?.groundingSources ?? [])
    lines.push(`- source: ${source.title ?? source.uri} <${source.uri}>`);
  return lines.join('\n');
}

/** A server file path means nothing to an HTTP client (and upload_file refuses paths there): only on stdio. */
function storedPath(ctx: StudioToolContext, record: ImageRecord, image?: Partial<StudioImage>): string | undefined {
  return ctx.transport === 'stdio' ? (image?.storedPath ?? ctx.studio.localPath(record)) : undefined;
}

function extOf(record: ImageRecord): string {
  return record.blobKey.split('.').pop() ?? 'img';
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${Math.round(bytes / 1e3)} KB`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
