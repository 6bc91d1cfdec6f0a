/**
 * Turning a GenerateImageRequest into `ai.models.generateContent` parameters (reference §3).
 * @module
 */

import type { Content, GenerateContentConfig, Modality, ThinkingLevel } from '@google/genai';
import type { GeminiContent, GeminiPart, GenerateImageRequest, ReferenceImage } from '../core/ports.js';

export interface ImageCall {
  model: string;
  /** History followed by the new user turn; JSON-safe, so it can also go into the result's history. */
  contents: GeminiContent[];
  /** The user turn just built (the last element of `contents`). */
  userTurn: GeminiContent;
  /** SDK config without signal/httpOptions (added per attempt). */
  config: GenerateContentConfig;
}

export function referencePart(image: ReferenceImage): GeminiPart {
  return image.kind === 'inline'
    ? { inlineData: { mimeType: image.mimeType, data: image.data.toString('base64') } }
    : { fileData: { fileUri: image.uri, mimeType: image.mimeType } };
}

/** The prompt text, with the negative prompt as its own paragraph (Gemini has no negative-prompt field). */
export function promptText(prompt: string, negativePrompt?: string): string {
  const negative = negativePrompt?.trim();
  return negative === undefined || negative === '' ? prompt : `${prompt}\n\nAvoid: ${negative}`;
}

/**
 * Gemini 3 image models (and the Nano Banana ids) think and return thought parts on request; Gemini 2.5
 * Flash Image takes no thinking config at all.
 */
export function modelThinks(model: string): boolean {
  const id = model.replace(/^models\//, '');
  return id.startsWith('gemini-3') || id.includes('nano-banana');
}

export function buildImageCall(req: GenerateImageRequest): ImageCall {
  const parts: GeminiPart[] = [
    // Reference images first, then the text: Google's recommended order for image prompts.
    ...(req.referenceImages ?? []).map(referencePart),
    { text: promptText(req.prompt, req.negativePrompt) },
  ];
  const userTurn: GeminiContent = { role: 'user', parts };

  const imageConfig: { aspectRatio?: string; imageSize?: string } = {};
  // Only the keys that are set, and never the Vertex-only ones (the SDK throws on those in Gemini mode).
  if (req.aspectRatio !== undefined) imageConfig.aspectRatio = req.aspectRatio;
  if (req.imageSize !== undefined) imageConfig.imageSize = req.imageSize;

  const config: GenerateContentConfig = {
    responseModalities: ['TEXT', 'IMAGE'] as Modality[],
  };
  if (Object.keys(imageConfig).length > 0) config.imageConfig = imageConfig;
  if (req.thinkingLevel !== undefined) {
    config.thinkingConfig = {
      thinkingLevel: req.thinkingLevel.toUpperCase() as ThinkingLevel,
      includeThoughts: true,
    };
  } else if (modelThinks(req.model)) {
    // Thoughts are returned so the model turn can be kept verbatim for multi-turn editing.
    config.thinkingConfig = { includeThoughts: true };
  }
  if (req.systemInstruction !== undefined && req.systemInstruction.trim() !== '') {
    config.systemInstruction = req.systemInstruction;
  }
  if (req.grounding === true) config.tools = [{ googleSearch: {} }];
  if (req.seed !== undefined) config.seed = req.seed;

  return { model: req.model, contents: [...(req.history ?? []), userTurn], userTurn, config };
}

/** Our JSON-safe contents as the SDK's type (the shapes are the same; ours only types fewer fields). */
export function toSdkContents(contents: GeminiContent[]): Content[] {
  return contents as unknown as Content[];
}

/** Contents for a text call: a plain prompt becomes one user turn. */
export function textContents(prompt: string | GeminiContent[]): GeminiContent[] {
  return typeof prompt === 'string' ? [{ role: 'user', parts: [{ text: prompt }] }] : prompt;
}
