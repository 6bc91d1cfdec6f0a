/**
 * The architect stage of propose_concepts: turns a rough idea into distinct concepts (title, refined
 * prompt, keywords). Earlier turns of the same conversation (what was asked and what was proposed) go
 * into the context, so feedback like "more minimal, warmer colours" builds on them.
 * @module
 */
import { z } from 'zod';
import type { ConceptRecord, JsonGenerator } from './types.js';

const SYSTEM = [
  'You are an art director proposing image concepts for an image generation model.',
  'Turn the request into the requested number of clearly different concepts.',
  'Each has a short title, a refined_prompt (one detailed, self-contained image prompt: subject, setting, composition, lighting, medium, palette, mood) and 3 to 8 keywords.',
  'When earlier turns exist, treat the newest request as feedback on them.',
].join(' ');

export interface ProposedConcept {
  title: string;
  refined_prompt: string;
  keywords: string[];
}

export async function proposeConcepts(
  text: JsonGenerator,
  options: {
    model: string;
    prompt: string;
    count: number;
    earlier: ConceptRecord[];
    styleGuide?: string;
    signal?: AbortSignal;
    billing?: { ownerId: string; pipelineId: string | null };
  },
): Promise<ProposedConcept[]> {
  const schema = {
    type: 'object',
    properties: {
      concepts: {
        type: 'array',
        minItems: options.count,
        maxItems: options.count,
        items: {
          type: 'object',
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 80 },
            refined_prompt: { type: 'string', minLength: 1 },
            keywords: { type: 'array', items: { type: 'string' }, minItems: 3, maxItems: 8 },
          },
          required: ['title', 'refined_prompt', 'keywords'],
          additionalProperties: false,
        },
      },
    },
    required: ['concepts'],
    additionalProperties: false,
  };
  const answer = z.object({
    concepts: z
      .array(z.object({ title: z.string().min(1), refined_prompt: z.string().min(1), keywords: z.array(z.string()) }))
      .min(1),
  });
  const { value } = await text.generateJson({
    model: options.model,
    systemInstruction: options.styleGuide ? `${SYSTEM}\n\nFollow this style guide:\n${options.styleGuide}` : SYSTEM,
    prompt: [
      ...history(options.earlier),
      { role: 'user', parts: [{ text: `${options.prompt}\n\n(Propose ${options.count}.)` }] },
    ],
    jsonSchema: schema,
    signal: options.signal,
    billing: options.billing,
  });
  return answer.parse(value).concepts.slice(0, options.count);
}

/** Earlier turns as alternating user requests and model answers, oldest first. */
function history(earlier: ConceptRecord[]) {
  const turns: Array<{ role: 'user' | 'model'; parts: Array<{ text: string }> }> = [];
  const byPipeline = new Map<string, ConceptRecord[]>();
  for (const concept of earlier)
    byPipeline.set(concept.pipelineId, [...(byPipeline.get(concept.pipelineId) ?? []), concept]);
  for (const concepts of byPipeline.values()) {
    turns.push({ role: 'user', parts: [{ text: concepts[0]?.request ?? '' }] });
    const proposed = concepts.map((c) => ({
      id: c.id,
      title: c.title,
      refined_prompt: c.refinedPrompt,
      keywords: c.keywords,
    }));
    turns.push({ role: 'model', parts: [{ text: JSON.stringify({ concepts: proposed }) }] });
  }
  return turns;
}
