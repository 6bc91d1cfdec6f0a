/**
 * The picture an edit starts from: the latest image in the request (the last user turn's own image, else
 * the model's image earlier in the conversation), inline or by Files API reference. Thought images (the
 * interim drafts) are skipped. The emulator draws an edit, an upscale or a variation of it as that picture
 * changed, the way a person expects from the real model, rather than a new card with the instruction on it.
 * @module
 */
import type { FileStore } from './fileStore.js';
import { fileIdFromUri } from './fileStore.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Called after validation: every part is well formed and every file exists. */
export function sourceImageOf(body: unknown, files: FileStore): Buffer | undefined {
  if (!isObject(body) || !Array.isArray(body.contents)) return undefined;
  for (let i = body.contents.length - 1; i >= 0; i--) {
    const content: unknown = body.contents[i];
    if (!isObject(content) || !Array.isArray(content.parts)) continue;
    for (let j = content.parts.length - 1; j >= 0; j--) {
      const part: unknown = content.parts[j];
      if (!isObject(part) || part.thought === true) continue;
      const inline = isObject(part.inlineData)
        ? part.inlineData
        : isObject(part.inline_data)
          ? part.inline_data
          : undefined;
      if (inline !== undefined) {
        const mime = String(inline.mimeType ?? inline.mime_type ?? '');
        if (mime.startsWith('image/') && typeof inline.data === 'string') return Buffer.from(inline.data, 'base64');
        continue;
      }
      const file = isObject(part.fileData) ? part.fileData : isObject(part.file_data) ? part.file_data : undefined;
      const uri = file?.fileUri ?? file?.file_uri;
      if (typeof uri === 'string') {
        const stored = files.get(fileIdFromUri(uri));
        if (stored?.mimeType.startsWith('image/')) return stored.bytes;
      }
    }
  }
  return undefined;
}
