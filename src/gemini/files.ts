/**
 * Files API mapping (reference §8). Uploaded files live 48 h; an unknown or expired id answers 403
 * PERMISSION_DENIED (not 404), which `getFile` reports as `undefined`.
 * @module
 */

import type { File as GeminiFile } from '@google/genai';
import { UpstreamError } from '../core/errors.js';
import type { UploadedFile } from '../core/ports.js';

/** `files/<id>` from `files/<id>`, `<id>` or a full `https://…/files/<id>` URI. */
export function normaliseFileName(name: string): string {
  const match = /(?:^|\/)files\/([^/?#]+)/.exec(name);
  return match?.[1] === undefined ? `files/${name}` : `files/${match[1]}`;
}

/** Maps the SDK's File (all fields optional, `sizeBytes` a string) to ours. */
export function toUploadedFile(
  file: GeminiFile,
  fallback: { mimeType?: string; sizeBytes?: number } = {},
): UploadedFile {
  if (file.name === undefined || file.uri === undefined) {
    throw new UpstreamError('Gemini accepted the upload but returned no file name or URI. Try again.', undefined, {
      internalMessage: `file resource without name/uri: ${JSON.stringify(file).slice(0, 300)}`,
    });
  }
  const size = Number(file.sizeBytes ?? fallback.sizeBytes ?? 0);
  const out: UploadedFile = {
    name: file.name,
    uri: file.uri,
    mimeType: file.mimeType ?? fallback.mimeType ?? 'application/octet-stream',
    sizeBytes: Number.isFinite(size) ? size : 0,
  };
  if (file.expirationTime !== undefined) out.expiresAt = file.expirationTime;
  if (file.state !== undefined) out.state = String(file.state);
  return out;
}
