/**
 * One image as outward JSON, the same wherever it leaves the studio: the `images://{id}/metadata`
 * resource, the command line's `--json`, and the machine-readable part of image tool results that the
 * in-chat gallery reads. Keys are snake_case; a key that does not apply is left out rather than null,
 * except the record's own nullable fields (`parent_id`, `negative_prompt`) and `cost_usd` (null = unknown).
 * Documented in the README ("Image JSON").
 * @module
 */
import { recordIsEmulated } from './emulatedRegistry.js';
import type { ModelRegistry } from './models.js';
import type { ImageRecord } from './ports.js';

export interface ImageSummary {
  id: string;
  kind: 'generate' | 'edit';
  /** The image this one was edited from. */
  parent_id: string | null;
  /** The prompt Gemini drew from (the rewritten one when prompt engineering ran). */
  prompt: string;
  negative_prompt: string | null;
  /** The alias it was made with (`nb2.1`), what `model` options take; for a model passed through, its id. */
  model: string;
  /** The full Gemini model id (`gemini-nano-banana-2.1`). */
  model_id: string;
  /** The model's display name ("Nano Banana 2.1"), when this server's registry knows it. */
  model_name?: string;
  /** `512`, `1K`, `2K` or `4K`. */
  image_size: string;
  aspect_ratio: string;
  width: number;
  height: number;
  mime_type: string;
  bytes: number;
  /** Estimated USD; null when unknown (a model passed through by id is billed at Google's own rate). */
  cost_usd: number | null;
  /** Made by the offline emulator: synthetic and free. */
  emulated?: true;
  tokens: { prompt: number; image: number; thoughts: number; total: number };
  /** ISO 8601, UTC. */
  created_at: string;
  /** A link that serves the image (HTTP server with a public URL). */
  url?: string;
  /** The stored file (local folder store, local callers only). */
  path?: string;
  /** Where the `output_path` / `--out` copy went. */
  output_path?: string;
  /** The file already at the asked-for output name, left as it was (the copy got the next free name). */
  output_kept?: string;
  /** Why the output copy could not be written (the image itself is stored). */
  output_error?: string;
}

/** Where the image is, as far as the caller may know. */
export interface ImageWhereabouts {
  url?: string;
  path?: string;
  outputPath?: string;
  outputKept?: string;
  outputError?: string;
}

export function imageSummary(record: ImageRecord, registry: ModelRegistry, where: ImageWhereabouts = {}): ImageSummary {
  const model = registry.resolve(record.modelId);
  return {
    id: record.id,
    kind: record.kind,
    parent_id: record.parentId,
    prompt: record.prompt,
    negative_prompt: record.negativePrompt,
    model: record.modelAlias,
    model_id: record.modelId,
    ...(model && !model.passThrough ? { model_name: model.name } : {}),
    image_size: record.imageSize,
    aspect_ratio: record.aspectRatio,
    width: record.width,
    height: record.height,
    mime_type: record.mimeType,
    bytes: record.bytes,
    cost_usd: costKnown(record) ? record.costUsd : null,
    ...(recordIsEmulated(record) ? { emulated: true as const } : {}),
    tokens: {
      prompt: record.promptTokens,
      image: record.imageTokens,
      thoughts: record.thoughtsTokens,
      total: record.totalTokens,
    },
    created_at: record.createdAt,
    ...(where.url ? { url: where.url } : {}),
    ...(where.path ? { path: where.path } : {}),
    ...(where.outputPath ? { output_path: where.outputPath } : {}),
    ...(where.outputKept ? { output_kept: where.outputKept } : {}),
    ...(where.outputError ? { output_error: where.outputError } : {}),
  };
}

/**
 * Whether the image's price is known: a model passed through by id (not in the registry when it was made)
 * is recorded under its id as alias, and its cost is unknown.
 */
export function costKnown(record: Pick<ImageRecord, 'modelAlias' | 'modelId'>): boolean {
  return record.modelAlias !== record.modelId;
}
