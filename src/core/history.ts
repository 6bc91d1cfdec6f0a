/**
 * The conversation behind an image, kept so that a later edit continues it (multi-turn editing with
 * thought signatures). Inline image bytes are moved out to the blob store and replaced by references,
 * so rows stay small and the generated image is not stored twice.
 * @module
 */
import type { GeminiContent, GeminiPart } from './ports.js';

interface StoredPart extends GeminiPart {
  storedData?: { mimeType: string; key: string };
}

/**
 * Replaces each inline image with a reference obtained from `store` (which writes the bytes), given the
 * base64 text as received: the final image is already stored and need not be decoded again to be known.
 */
export async function dehydrateHistory(
  history: GeminiContent[],
  store: (base64: string, mimeType: string) => Promise<string>,
): Promise<string> {
  const contents: GeminiContent[] = [];
  for (const content of history) {
    const parts: StoredPart[] = [];
    for (const part of content.parts) {
      if (part.inlineData) {
        const { inlineData, ...rest } = part;
        const key = await store(inlineData.data, inlineData.mimeType);
        parts.push({ ...rest, storedData: { mimeType: inlineData.mimeType, key } });
      } else {
        parts.push(part);
      }
    }
    contents.push({ role: content.role, parts });
  }
  return JSON.stringify(contents);
}

/** The inverse of {@link dehydrateHistory}: loads every referenced image back inline. */
export async function rehydrateHistory(json: string, load: (key: string) => Promise<Buffer>): Promise<GeminiContent[]> {
  const contents = JSON.parse(json) as Array<{ role: GeminiContent['role']; parts: StoredPart[] }>;
  const out: GeminiContent[] = [];
  for (const content of contents) {
    const parts: GeminiPart[] = [];
    for (const part of content.parts) {
      if (part.storedData) {
        const { storedData, ...rest } = part;
        const data = await load(storedData.key);
        parts.push({ ...rest, inlineData: { mimeType: storedData.mimeType, data: data.toString('base64') } });
      } else {
        parts.push(part);
      }
    }
    out.push({ role: content.role, parts });
  }
  return out;
}
