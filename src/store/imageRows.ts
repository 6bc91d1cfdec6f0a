import { z } from 'zod';
import type { ImageRecord } from '../core/ports.js';
import type { ImagesTable } from './schema.js';

const count = z.number().int().nonnegative();

/** Rows read back from SQL are checked here, once, so core can trust the types (convention 6). */
const imageRowSchema = z.object({
  id: z.string().min(1),
  owner_id: z.string().min(1),
  parent_id: z.string().nullable(),
  kind: z.enum(['generate', 'edit']),
  prompt: z.string(),
  negative_prompt: z.string().nullable(),
  model_id: z.string(),
  model_alias: z.string(),
  image_size: z.string(),
  aspect_ratio: z.string(),
  width: count,
  height: count,
  mime_type: z.string(),
  bytes: count,
  blob_key: z.string().min(1),
  prompt_tokens: count,
  image_tokens: count,
  thoughts_tokens: count,
  total_tokens: count,
  cost_usd: z.number(),
  created_at: z.string(),
  history: z.string().nullable(),
  options: z.string(),
});

export function rowToRecord(row: unknown): ImageRecord {
  const parsed = imageRowSchema.safeParse(row);
  if (!parsed.success) {
    const id = typeof row === 'object' && row !== null && 'id' in row ? String(row.id) : '?';
    throw new Error(`Stored image ${id} does not match the expected shape: ${z.prettifyError(parsed.error)}`);
  }
  const r = parsed.data;
  return {
    id: r.id,
    ownerId: r.owner_id,
    parentId: r.parent_id,
    kind: r.kind,
    prompt: r.prompt,
    negativePrompt: r.negative_prompt,
    modelId: r.model_id,
    modelAlias: r.model_alias,
    imageSize: r.image_size,
    aspectRatio: r.aspect_ratio,
    width: r.width,
    height: r.height,
    mimeType: r.mime_type,
    bytes: r.bytes,
    blobKey: r.blob_key,
    promptTokens: r.prompt_tokens,
    imageTokens: r.image_tokens,
    thoughtsTokens: r.thoughts_tokens,
    totalTokens: r.total_tokens,
    costUsd: r.cost_usd,
    createdAt: r.created_at,
    history: r.history,
    options: r.options,
  };
}

export function recordToRow(record: ImageRecord): ImagesTable {
  return {
    id: record.id,
    owner_id: record.ownerId,
    parent_id: record.parentId,
    kind: record.kind,
    prompt: record.prompt,
    negative_prompt: record.negativePrompt,
    model_id: record.modelId,
    model_alias: record.modelAlias,
    image_size: record.imageSize,
    aspect_ratio: record.aspectRatio,
    width: record.width,
    height: record.height,
    mime_type: record.mimeType,
    bytes: record.bytes,
    blob_key: record.blobKey,
    prompt_tokens: record.promptTokens,
    image_tokens: record.imageTokens,
    thoughts_tokens: record.thoughtsTokens,
    total_tokens: record.totalTokens,
    cost_usd: record.costUsd,
    created_at: canonicalTimestamp(record.createdAt),
    history: record.history,
    options: record.options,
  };
}

/**
 * Listings order by the text of `created_at`, which is time order only if every value has the same
 * shape; `Date#toISOString` (UTC, milliseconds) is that shape.
 */
function canonicalTimestamp(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new Error(`Image createdAt must be an ISO 8601 timestamp, got ${JSON.stringify(value)}.`);
  }
  return new Date(time).toISOString();
}
