/**
 * Styles learned from references (the pipeline seed's style extraction): 3 to 10 images go to the text
 * model, which writes a style guide — palette, motifs, register, composition, what to avoid. The guide is
 * saved as a named style the person can read and edit; the engineer-prompt stage follows it.
 * @module
 */
import { z } from 'zod';
import { InvalidInputError } from './errors.js';
import { normalizeHex } from './palette.js';
import type { JsonGenerator } from './pipelines/types.js';

export const MIN_STYLE_REFERENCES = 3;
export const MAX_STYLE_REFERENCES = 10;
export const MAX_GUIDE_CHARS = 8000;

/** A saved style: the guide as the person reads and edits it, and where it came from. */
export const styleValue = z.object({
  guide: z.string().trim().min(1, 'The style guide is empty.').max(MAX_GUIDE_CHARS),
  palette: z.array(z.string()).max(12).default([]),
  learnedFrom: z.number().int().min(0).default(0),
});
export type StyleValue = z.infer<typeof styleValue>;

const SYSTEM = [
  'You are an art director. Study the reference images together and write the house style they share, as a guide another designer could follow without seeing them.',
  'Describe: the colour palette (as hex colours), recurring motifs and subjects, the register and mood, composition and framing habits, and what to avoid to stay in style.',
  'Be concrete and brief; describe only what the images show.',
].join(' ');

const schema = {
  type: 'object',
  properties: {
    palette: {
      type: 'array',
      description: 'The dominant colours, as #RRGGBB hex.',
      items: { type: 'string', description: 'One colour as #RRGGBB.' },
      minItems: 1,
      maxItems: 8,
    },
    motifs: { type: 'string', description: 'Recurring motifs, subjects and shapes.' },
    register: { type: 'string', description: 'Register, tone and mood.' },
    composition: { type: 'string', description: 'Composition, framing, lighting and rendering.' },
    avoid: { type: 'string', description: 'What to avoid to stay in this style.' },
  },
  required: ['palette', 'motifs', 'register', 'composition', 'avoid'],
  additionalProperties: false,
};
const answer = z.object({
  palette: z.array(z.string()),
  motifs: z.string(),
  register: z.string(),
  composition: z.string(),
  avoid: z.string(),
});

/** Inline bytes, or a file already on Gemini (a large upload). */
export type StyleReference = { data: Buffer; mimeType: string } | { uri: string; mimeType: string };

/** Asks the text model for a style guide of the references; the guide as text, ready to save. */
export async function learnStyle(
  text: JsonGenerator,
  options: {
    model: string;
    references: StyleReference[];
    note?: string;
    signal?: AbortSignal;
    billing?: { ownerId: string; pipelineId: string | null };
  },
): Promise<StyleValue> {
  const n = options.references.length;
  if (n < MIN_STYLE_REFERENCES || n > MAX_STYLE_REFERENCES)
    throw new InvalidInputError(
      `A style is learned from ${MIN_STYLE_REFERENCES} to ${MAX_STYLE_REFERENCES} reference images; ${n} were given.`,
    );
  const { value } = await text.generateJson({
    model: options.model,
    systemInstruction: SYSTEM,
    prompt: [
      {
        role: 'user',
        parts: [
          ...options.references.map((r) =>
            'uri' in r
              ? { fileData: { fileUri: r.uri, mimeType: r.mimeType } }
              : { inlineData: { mimeType: r.mimeType, data: r.data.toString('base64') } },
          ),
          {
            text: `Write the style guide these ${n} reference images share.${options.note ? ` The person adds: ${options.note}` : ''}`,
          },
        ],
      },
    ],
    jsonSchema: schema,
    signal: options.signal,
    billing: options.billing,
  });
  const parsed = answer.parse(value);
  const palette = parsed.palette.flatMap((hex) => {
    try {
      return [normalizeHex(hex)];
    } catch {
      return [];
    }
  });
  const guide = [
    `Palette: ${palette.join(', ') || 'as in the references'}.`,
    `Motifs: ${parsed.motifs.trim()}`,
    `Register: ${parsed.register.trim()}`,
    `Composition: ${parsed.composition.trim()}`,
    `Avoid: ${parsed.avoid.trim()}`,
  ].join('\n');
  return { guide: guide.slice(0, MAX_GUIDE_CHARS), palette, learnedFrom: n };
}
