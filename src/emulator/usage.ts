/**
 * Token accounting in the shape of `usageMetadata`: text ≈ 1.3 tokens per word, a fixed count per input image,
 * the per-size image output counts of each model, and deterministic thinking token counts.
 * @module
 */
import { hash32, textTokens } from './hash.js';

export interface TokenDetail {
  modality: 'TEXT' | 'IMAGE';
  tokenCount: number;
}

export interface PromptTokens {
  total: number;
  details: TokenDetail[];
}

export function promptTokens(text: string, images: number, perImage: number): PromptTokens {
  const textCount = Math.max(1, textTokens(text));
  const details: TokenDetail[] = [{ modality: 'TEXT', tokenCount: textCount }];
  if (images > 0) details.push({ modality: 'IMAGE', tokenCount: images * perImage });
  return { total: textCount + images * perImage, details };
}

const THINKING_RANGE: Record<string, readonly [number, number]> = {
  MINIMAL: [40, 120],
  LOW: [120, 220],
  MEDIUM: [160, 320],
  HIGH: [250, 480],
};

/** Thinking tokens billed for one answer (deterministic per prompt and level). */
export function thoughtTokens(level: string, prompt: string): number {
  const [low, high] = THINKING_RANGE[level] ?? [160, 320];
  return low + (hash32(`${level}\u0000${prompt}`) % (high - low + 1));
}

export interface UsageInput {
  prompt: PromptTokens;
  /** Output image tokens already produced. */
  imageTokens: number;
  /** Output text tokens already produced. */
  textTokens: number;
  thoughts: number;
  toolUse: number;
}

/** One usageMetadata object; streaming calls it with running totals. */
export function usageMetadata(input: UsageInput): Record<string, unknown> {
  const candidates = input.imageTokens + input.textTokens;
  const usage: Record<string, unknown> = { promptTokenCount: input.prompt.total };
  if (candidates > 0) usage.candidatesTokenCount = candidates;
  usage.totalTokenCount = input.prompt.total + candidates + input.thoughts + input.toolUse;
  usage.promptTokensDetails = input.prompt.details;
  const details: TokenDetail[] = [];
  if (input.imageTokens > 0) details.push({ modality: 'IMAGE', tokenCount: input.imageTokens });
  if (input.textTokens > 0) details.push({ modality: 'TEXT', tokenCount: input.textTokens });
  if (details.length > 0) usage.candidatesTokensDetails = details;
  if (input.thoughts > 0) usage.thoughtsTokenCount = input.thoughts;
  if (input.toolUse > 0) {
    usage.toolUsePromptTokenCount = input.toolUse;
    usage.toolUsePromptTokensDetails = [{ modality: 'TEXT', tokenCount: input.toolUse }];
  }
  return usage;
}
