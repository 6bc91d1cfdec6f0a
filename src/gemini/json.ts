/**
 * Structured output on a text model (reference §10): the schema goes verbatim as `responseJsonSchema`
 * (standard JSON Schema, unlike `responseSchema` which the SDK rewrites), and the JSON comes back as a
 * string in the first candidate's text parts.
 * @module
 */

import type { GenerateContentConfig, GenerateContentResponse } from '@google/genai';
import { RefusalError, UpstreamError } from '../core/errors.js';
import type { GeminiContent } from '../core/ports.js';
import { compact } from './errors.js';
import { textContents } from './request.js';
import { visibleText } from './response.js';

export interface JsonCall {
  model: string;
  contents: GeminiContent[];
  config: GenerateContentConfig;
}

export function buildJsonCall(req: {
  model: string;
  systemInstruction?: string;
  prompt: string | GeminiContent[];
  jsonSchema: object;
}): JsonCall {
  const config: GenerateContentConfig = {
    responseMimeType: 'application/json',
    responseJsonSchema: req.jsonSchema,
  };
  if (req.systemInstruction !== undefined && req.systemInstruction.trim() !== '') {
    config.systemInstruction = req.systemInstruction;
  }
  return { model: req.model, contents: textContents(req.prompt), config };
}

/** The text of the answer, or undefined when there is none (blocked, or finished early). */
export function jsonText(response: GenerateContentResponse): string | undefined {
  return visibleText(response.candidates?.[0]?.content?.parts ?? []);
}

/**
 * Parses the model's JSON. Models occasionally wrap it in a Markdown fence despite the MIME type, so a
 * fence is tolerated. The caller validates the shape (zod).
 */
export function parseJsonText(text: string): unknown {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(text)?.[1];
  try {
    return JSON.parse(fenced ?? text);
  } catch (error) {
    throw new UpstreamError('Gemini answered with text that is not valid JSON. Try again.', undefined, {
      cause: error,
      internalMessage: `invalid JSON from text model: ${compact(text, 300)}`,
    });
  }
}

/** A text call that produced no text: blocked prompt or an early stop. Nothing usable, nothing billed. */
export function noJsonAnswer(response: GenerateContentResponse): RefusalError {
  const reason = response.promptFeedback?.blockReason ?? response.candidates?.[0]?.finishReason ?? 'EMPTY';
  const what = response.promptFeedback?.blockReason === undefined ? 'returned no answer' : 'blocked the prompt';
  return new RefusalError(
    `Gemini ${what} (${reason}) for the structured request. Rephrase the input and try again.`,
    String(reason),
    { internalMessage: `no JSON text, responseId=${response.responseId ?? '-'}` },
  );
}
