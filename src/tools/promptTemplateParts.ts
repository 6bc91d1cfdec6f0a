/**
 * What the prompt templates are made of: their types, the categories, the aspect hints and the helpers each
 * template renders with. The templates themselves are in promptTemplates{Photo,Design,Edit}.ts.
 * @module
 */
import { ALL_ASPECT_RATIOS } from '../core/models.js';

export interface TemplateParameter {
  description: string;
  required: boolean;
  /** Applied at render when the argument is missing or blank (optional parameters only). */
  default?: string;
  /** Offered by completion, filtered by the typed prefix. */
  suggestions: readonly string[];
  /** Used to render the template's example prompt. */
  example: string;
  /** Kept exactly as typed (no trailing full stop removed), e.g. text to draw. */
  verbatim?: boolean;
}

export type TemplateCategory = 'photography' | 'design' | 'commercial' | 'illustration' | 'editing' | 'artistic';

export interface PromptTemplate<K extends string = string> {
  name: string;
  title: string;
  description: string;
  category: TemplateCategory;
  useCases: readonly string[];
  /** The tool the rendered prompt is meant for. */
  tool: 'generate_image' | 'edit_image';
  /** In argument order. */
  parameters: Record<K, TemplateParameter>;
  render(values: Record<K, string>): string;
}

export const CATEGORY_DESCRIPTIONS: Record<TemplateCategory, string> = {
  photography: 'Photorealistic scenes described the way a photographer would: shot, light, lens.',
  design: 'Logos and graphics with exact, legible text.',
  commercial: 'Studio product photography for shops and ads.',
  illustration: 'Flat, bold illustrations such as stickers and icons.',
  editing: 'Precise changes to an existing image that keep everything else intact.',
  artistic: 'Restyling an existing image in an art style while keeping its composition.',
};

export const ASPECT_HINTS = [
  'Square image',
  'Portrait',
  'Landscape',
  '16:9',
  '4:3',
  '3:2',
  '2:3',
  '3:4',
  '4:5',
  '9:16',
  '21:9',
] as const;

const DEFAULT_ASPECT_HINT = 'Square image';

export const aspectHintParameter: TemplateParameter = {
  description:
    'Shape of the image: "Square image", "Portrait", "Landscape", or a width:height ratio such as 16:9 or 4:3.',
  required: false,
  default: DEFAULT_ASPECT_HINT,
  suggestions: ASPECT_HINTS,
  example: '4:3',
};

/** The aspect_ratio of generate_image that an aspect hint stands for, when there is one. */
export function aspectRatioOf(hint: string): string | undefined {
  const text = hint.trim().toLowerCase();
  const ratio = /(\d+)\s*[:x]\s*(\d+)/.exec(text);
  if (ratio) {
    const value = `${ratio[1]}:${ratio[2]}`;
    return (ALL_ASPECT_RATIOS as readonly string[]).includes(value) ? value : undefined;
  }
  if (/square/.test(text)) return '1:1';
  if (/portrait|vertical|tall/.test(text)) return '3:4';
  if (/widescreen|cinematic|panoram/.test(text)) return '16:9';
  if (/landscape|horizontal|wide/.test(text)) return '4:3';
  return undefined;
}

export function framing(hint: string): string {
  const text = hint.trim().toLowerCase();
  const ratio = aspectRatioOf(hint);
  if (/square/.test(text)) return 'Frame it as a square image (1:1).';
  if (/portrait|vertical|tall/.test(text))
    return `Frame it as a vertical portrait-format image${ratio ? ` (${ratio})` : ''}.`;
  if (/landscape|horizontal|wide|cinematic|panoram/.test(text))
    return `Frame it as a horizontal landscape-format image${ratio ? ` (${ratio})` : ''}.`;
  if (ratio) return `Frame it in a ${ratio} aspect ratio.`;
  return `Format: ${hint.trim()}.`;
}

export function template<K extends string>(definition: PromptTemplate<K>): PromptTemplate<K> {
  return definition;
}
