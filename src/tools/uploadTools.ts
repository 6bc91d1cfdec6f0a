/**
 * upload_file, list_uploads and delete_upload, and the resource `gemini://files/{name}` (Gemini's metadata
 * of an upload's copy on the Files API). An upload id (`upl_…`) works wherever an image id does in
 * `reference_images` and as `edit_image`'s `image`.
 * @module
 */
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { AppError, InvalidInputError } from '../core/errors.js';
import type { UploadRecord } from '../core/ports.js';
import type { CallContext, Studio } from '../core/studio.js';
import { formatBytes } from '../core/uploadInput.js';
import { GEMINI_FILE_TTL_MS, type UploadService } from '../core/uploads.js';
import { defineTool } from '../mcp/defineTool.js';
import type { StudioToolContext } from './context.js';
import { READ_RULE } from './pathRule.js';

export const uploadFile = defineTool({
  name: 'upload_file',
  title: 'Upload a reference image',
  description:
    "Upload an image the person shares, once: its upl_… id works in reference_images or as edit_image's image. Large files go to Gemini's Files API. GIF (1st frame), AVIF, BMP, TIFF, SVG become PNG.",
  inputSchema: z.object({
    path: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe(`Local server: the image file (${READ_RULE}). Give \`path\` or \`data\`.`),
    data: z
      .string()
      .min(1)
      .optional()
      .describe('Over HTTP: base64 bytes (a data: URL works), under the request limit (64 MB default).'),
    display_name: z.string().max(256).optional().describe('Default: the file name.'),
    mime_type: z.string().max(100).optional().describe('Detected from the bytes if unset; a wrong one is refused.'),
    to_gemini: z.boolean().default(false).describe('Also upload to the Gemini Files API now (over 20 MB always).'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handle(ctx: StudioToolContext, params, res) {
    if (params.path !== undefined && ctx.transport !== 'stdio') {
      throw new InvalidInputError(
        '`path` is only available on a local (stdio) server: this server cannot read your files. Send the image itself as base64 in `data` instead.',
      );
    }
    const { upload, existing, note } = await uploadsOf(ctx).upload({
      ownerId: ctx.call.ownerId,
      data: params.data,
      path: params.path,
      paths: ctx.call.paths,
      displayName: params.display_name,
      mimeType: params.mime_type,
      toGemini: params.to_gemini,
      signal: ctx.call.signal,
    });
    const lines = [
      ...(note ? [note] : []),
      `${existing ? 'This file was uploaded before: upload' : 'Uploaded'} ${upload.id}: ${describeUpload(upload)}.`,
      `Use it as a reference with reference_images: ["${upload.id}"] in generate_image or edit_image, or edit it with edit_image (image: "${upload.id}").`,
    ];
    res.addText(lines.join('\n'));
    if (upload.geminiName) {
      res.addResourceLink({
        uri: geminiResourceUri(upload.geminiName),
        name: upload.geminiName,
        mimeType: 'application/json',
        description: 'Gemini Files API metadata of the copy',
      });
    }
  },
});

export const listUploads = defineTool({
  name: 'list_uploads',
  title: 'List uploaded files',
  description: 'Uploads, newest first (ids, names, types, sizes), to reuse one ("the logo I sent").',
  inputSchema: z.object({
    limit: z.number().int().min(1).max(100).default(20).describe('How many uploads.'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handle(ctx: StudioToolContext, params, res) {
    const uploads = await uploadsOf(ctx).list(ctx.call.ownerId, params.limit);
    if (uploads.length === 0) {
      res.addText('No uploads yet. Use upload_file to upload an image.');
      return;
    }
    res.addText(uploads.map((u) => `${u.id}: ${describeUpload(u)}`).join('\n'));
  },
});

export const deleteUpload = defineTool({
  name: 'delete_upload',
  title: 'Delete an uploaded file',
  description: 'Delete an upload and its Gemini copy (images made from it stay). Only when asked.',
  inputSchema: z.object({
    id: z.string().min(1).max(100).describe('The upload id (upl_…).'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async handle(ctx: StudioToolContext, params, res) {
    const deleted = await uploadsOf(ctx).delete(params.id, ctx.call.ownerId);
    const gemini = deleted.geminiName ? ` and its Gemini copy ${deleted.geminiName}` : '';
    res.addText(`Deleted upload ${deleted.id} ("${deleted.displayName}")${gemini}.`);
  },
});

export const uploadTools = [uploadFile, listUploads, deleteUpload];

/** `gemini://files/{name}`: Gemini's live metadata of the copy of one of the caller's uploads. */
export function registerUploadResources(server: McpServer, studio: () => Promise<Studio>, call: CallContext) {
  const onGemini = async () =>
    (await serviceOf(await studio()).list(call.ownerId, 100)).filter((u) => u.geminiName !== null);

  server.registerResource(
    'gemini-file',
    new ResourceTemplate('gemini://files/{name}', {
      list: async () => ({
        resources: (await onGemini()).map((u) => ({
          uri: geminiResourceUri(u.geminiName ?? ''),
          name: u.geminiName ?? '',
          title: u.displayName,
          mimeType: 'application/json',
        })),
      }),
      complete: {
        name: async (value: string) =>
          (await onGemini())
            .map((u) => (u.geminiName ?? '').replace(/^files\//, ''))
            .filter((name) => name.startsWith(value))
            .slice(0, 20),
      },
    }),
    {
      title: 'Gemini file of an upload',
      description:
        'JSON: name, uri, mime_type, size_bytes, create_time, expiration_time and state of the Gemini Files API copy of an upload ({name} is the Gemini file id, or the upload id).',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const { upload, file } = await serviceOf(await studio()).geminiFile(String(variables.name), call.ownerId);
      const expires = file.expiresAt ? Date.parse(file.expiresAt) : Number.NaN;
      const json = {
        name: file.name,
        uri: file.uri,
        mime_type: file.mimeType,
        size_bytes: file.sizeBytes,
        // Gemini sets expirationTime = createTime + 48 h (reference §8).
        create_time: Number.isNaN(expires) ? null : new Date(expires - GEMINI_FILE_TTL_MS).toISOString(),
        expiration_time: file.expiresAt ?? null,
        state: file.state ?? null,
        upload_id: upload.id,
        display_name: upload.displayName,
      };
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(json, null, 2) }] };
    },
  );
}

function uploadsOf(ctx: StudioToolContext): UploadService {
  if (!ctx.uploads) throw new AppError('Uploads are not available on this server.');
  return ctx.uploads;
}

function serviceOf(studio: Studio): UploadService {
  if (!studio.uploads) throw new AppError('Uploads are not available on this server.');
  return studio.uploads;
}

function geminiResourceUri(geminiName: string): string {
  return `gemini://files/${geminiName.replace(/^files\//, '')}`;
}

function describeUpload(upload: UploadRecord): string {
  const where = upload.geminiName
    ? `on Gemini as ${upload.geminiName} until ${upload.geminiExpiresAt ?? '?'} (uploaded again automatically after that)`
    : 'kept on this server and sent inline when used';
  return `"${upload.displayName}", ${upload.mimeType}, ${formatBytes(upload.bytes)}, uploaded ${upload.createdAt}; ${where}`;
}
