/**
 * The engineer-prompt stage: a text model rewrites a raw prompt into a detailed image prompt, following
 * the optional style guide from the configuration.
 * @module
 */
import { z } from 'zod';
import type { JsonGenerator } from './types.js';

const SYSTEM = [
  'You are a prompt engineer for an image generation model.',
  "Rewrite the user's raw idea into ONE detailed image prompt: subject, setting, composition and framing, lighting, medium or camera, colour palette and mood.",
  'Keep every concrete thing the user asked for (objects, counts, colours, any text in quotes, the requested style); add nothing that contradicts it.',
  'Write the prompt itself, in the language of the request, with no preamble.',
].join(' ');

const schema = {
  type: 'object',
  properties: { refined_prompt: { type: 'string', description: 'The rewritten image prompt.', minLength: 1 } },
  required: ['refined_prompt'],
  additionalProperties: false,
};
const answer = z.object({ refined_prompt: z.string().min(1) });

export async function engineerPrompt(
  text: JsonGenerator,
  options: {
    model: string;
    styleGuide?: string;
    prompt: string;
    signal?: AbortSignal;
    billing?: { ownerId: string; pipelineId: string | null };
  },
): Promise<string> {
  const system = options.styleGuide ? `${SYSTEM}\n\nFollow this style guide:\n${options.styleGuide}` : SYSTEM;
  const { value } = await text.generateJson({
    model: options.model,
    systemInstruction: system,
    prompt: options.prompt,
    jsonSchema: schema,
    signal: options.signal,
    billing: options.billing,
  });
  return answer.parse(value).refined_prompt.trim();
}
