/**
 * Turns what a caller asked for (aliases, any-case sizes, optional fields) into the exact options for
 * one model, rejecting — never silently dropping — what that model does not support.
 * @module
 */
import { InvalidInputError } from './errors.js';
import { chooseModel } from './modelChoice.js';
import {
  type AspectRatio,
  IMAGE_SIZES,
  type ImageSize,
  type ModelRegistry,
  type ModelSpec,
  normalizeImageSize,
  type ThinkingLevel,
} from './models.js';

export interface RequestedOptions {
  model?: string;
  imageSize?: string;
  aspectRatio?: string;
  thinkingLevel?: string;
  grounding?: boolean;
  referenceCount?: number;
}

export interface ResolvedOptions {
  model: ModelSpec;
  imageSize: ImageSize;
  aspectRatio: AspectRatio;
  thinkingLevel: ThinkingLevel | undefined;
  grounding: boolean;
  /** What the caller should be told once in the result (a deprecated model, a default that fell back). */
  notices: string[];
}

export interface Fallbacks {
  /** Used when the caller names no model (a per-user preference, else the server default). */
  defaultModel?: string;
  imageSize?: string;
  aspectRatio?: string;
}

export function resolveGenerationOptions(
  registry: ModelRegistry,
  requested: RequestedOptions,
  fallbacks: Fallbacks = {},
): ResolvedOptions {
  const { model, notices } = chooseModel(registry, requested.model, fallbacks.defaultModel);
  const imageSize = resolveSize(model, requested.imageSize, fallbacks.imageSize);
  const aspectRatio = resolveRatio(model, requested.aspectRatio, fallbacks.aspectRatio);
  const thinkingLevel = resolveThinking(model, requested.thinkingLevel);
  if (requested.grounding && !model.grounding) {
    const withGrounding = registry.models.filter((m) => m.grounding).map((m) => m.alias);
    throw new InvalidInputError(
      `${model.name} (${model.alias}) does not support Google Search grounding. Models that do: ${withGrounding.join(', ')}. Or leave grounding off.`,
    );
  }
  const refs = requested.referenceCount ?? 0;
  if (refs > model.maxReferenceImages) {
    throw new InvalidInputError(
      `${model.name} accepts at most ${model.maxReferenceImages} reference images; ${refs} were given. Remove ${refs - model.maxReferenceImages} or choose a model that takes more (nb2 and pro take 14).`,
    );
  }
  return { model, imageSize, aspectRatio, thinkingLevel, grounding: requested.grounding ?? false, notices };
}

export { resolveModel } from './modelChoice.js';

function resolveSize(model: ModelSpec, requested: string | undefined, fallback: string | undefined): ImageSize {
  if (requested === undefined) {
    const f = fallback === undefined ? undefined : normalizeImageSize(fallback);
    return f && (model.sizes as string[]).includes(f) ? (f as ImageSize) : model.defaultSize;
  }
  const size = normalizeImageSize(requested);
  if (!(IMAGE_SIZES as readonly string[]).includes(size)) {
    throw new InvalidInputError(`Unknown image_size "${requested}". Use one of: ${IMAGE_SIZES.join(', ')}.`);
  }
  if (!(model.sizes as string[]).includes(size)) {
    throw new InvalidInputError(
      `${model.name} (${model.alias}) does not support image_size ${size}. It supports: ${model.sizes.join(', ')}.${size === '512' ? ' Only nb2 (3.1 Flash Image, deprecated) makes 512 images.' : ''}`,
    );
  }
  return size as ImageSize;
}

function resolveRatio(model: ModelSpec, requested: string | undefined, fallback: string | undefined): AspectRatio {
  if (requested === undefined) {
    return fallback && (model.aspectRatios as string[]).includes(fallback) ? (fallback as AspectRatio) : '1:1';
  }
  const ratio = requested.trim().replace(/\s+/g, '').replace(/[x/]/i, ':');
  if (!(model.aspectRatios as string[]).includes(ratio)) {
    throw new InvalidInputError(
      `${model.name} (${model.alias}) does not support aspect_ratio "${requested}". It supports: ${model.aspectRatios.join(', ')}.`,
    );
  }
  return ratio as AspectRatio;
}

function resolveThinking(model: ModelSpec, requested: string | undefined): ThinkingLevel | undefined {
  if (requested === undefined) return undefined;
  const level = requested.trim().toLowerCase();
  if (model.thinkingLevels.length === 0) {
    throw new InvalidInputError(
      `${model.name} (${model.alias}) does not take a thinking level${model.alias === 'pro' ? ' (it always thinks)' : ''}. Leave thinking_level unset.`,
    );
  }
  if (!(model.thinkingLevels as string[]).includes(level)) {
    throw new InvalidInputError(
      `${model.name} (${model.alias}) does not support thinking_level "${requested}". It supports: ${model.thinkingLevels.join(', ')}.`,
    );
  }
  return level as ThinkingLevel;
}
