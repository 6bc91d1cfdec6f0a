/**
 * Personal prompt templates: text with named parameters, saved in the studio and offered to that person
 * as MCP prompts next to the built-in ones. A parameter is written `{{name}}` (required) or
 * `{{name=default}}`, and `{{name=first|second|third}}` also lists suggestions for argument completion
 * (the first is the default).
 * @module
 */
import { z } from 'zod';
import { InvalidInputError } from './errors.js';

export const MAX_TEMPLATE_CHARS = 4000;
const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]{0,39})\s*(?:=([^}]*))?\}\}/gi;

export const templateValue = z.object({
  text: z.string().trim().min(1, 'The template text is empty.').max(MAX_TEMPLATE_CHARS),
  description: z.string().trim().max(300).default(''),
  /** Which tool the filled prompt is for. */
  tool: z.enum(['generate_image', 'edit_image']).default('generate_image'),
});
export type TemplateValue = z.infer<typeof templateValue>;

export interface TemplateParameter {
  name: string;
  required: boolean;
  default?: string;
  suggestions: string[];
}

/** The named parameters of a template text, in order of first appearance. */
export function templateParameters(text: string): TemplateParameter[] {
  const params = new Map<string, TemplateParameter>();
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = (match[1] as string).toLowerCase();
    const choices = match[2]
      ?.split('|')
      .map((s) => s.trim())
      .filter(Boolean);
    const existing = params.get(name);
    if (existing) {
      if (choices?.length && existing.suggestions.length === 0) {
        existing.suggestions = choices;
        existing.default = choices[0];
        existing.required = false;
      }
      continue;
    }
    params.set(name, {
      name,
      required: !choices?.length,
      ...(choices?.length ? { default: choices[0] } : {}),
      suggestions: choices ?? [],
    });
  }
  return [...params.values()];
}

/** A template checked for saving: it must have text, and parameter names MCP clients can send. */
export function checkTemplate(value: unknown): TemplateValue {
  const parsed = templateValue.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
  const stray = parsed.data.text.match(/\{\{(?![^}]*\}\})|\{\{\s*[^a-z\s][^}]*\}\}/i);
  if (stray)
    throw new InvalidInputError(
      `"${stray[0]}" is not a parameter: write {{name}} or {{name=default}}, names starting with a letter (letters, digits, _).`,
    );
  return parsed.data;
}

/** The text with every parameter filled; a required one missing throws (naming it). */
export function fillTemplate(text: string, args: Readonly<Record<string, string | undefined>>): string {
  const params = new Map(templateParameters(text).map((p) => [p.name, p]));
  const missing = [...params.values()].filter((p) => p.required && !args[p.name]?.trim()).map((p) => p.name);
  if (missing.length > 0) throw new InvalidInputError(`Missing template argument(s): ${missing.join(', ')}.`);
  return text.replace(PLACEHOLDER, (_all, raw: string) => {
    const p = params.get(raw.toLowerCase()) as TemplateParameter;
    return args[p.name]?.trim() || p.default || '';
  });
}

/** The MCP prompt name of a personal template (kept apart from the built-in ones by the prefix). */
export function promptNameOf(templateName: string): string {
  return `my_${templateName
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')}`;
}
