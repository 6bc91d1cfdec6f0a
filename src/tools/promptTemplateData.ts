/**
 * The six prompt templates as data: parameters with descriptions, defaults and suggestions, and how each
 * renders into a rich, specific Nano Banana prompt. Registered as MCP prompts by promptTemplates.ts.
 * @module
 */
import type { PromptTemplate } from './promptTemplateParts.js';
import { logoText, stickerFlat } from './promptTemplatesDesign.js';
import { iterativeEdit, styleTransfer } from './promptTemplatesEdit.js';
import { photorealisticShot, productShot } from './promptTemplatesPhoto.js';

export {
  ASPECT_HINTS,
  aspectRatioOf,
  CATEGORY_DESCRIPTIONS,
  type PromptTemplate,
  type TemplateCategory,
  type TemplateParameter,
} from './promptTemplateParts.js';

export const PROMPT_TEMPLATES: readonly PromptTemplate[] = [
  photorealisticShot,
  logoText,
  productShot,
  stickerFlat,
  iterativeEdit,
  styleTransfer,
];
