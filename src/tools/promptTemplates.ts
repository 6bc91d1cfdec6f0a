/**
 * The prompt templates (promptTemplateData.ts) as MCP prompts with argument completion, and the
 * `nano-banana://prompt-templates` resource that lists them as JSON.
 * @module
 */
import { completable, type McpServer, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { z } from 'zod';
import {
  aspectRatioOf,
  CATEGORY_DESCRIPTIONS,
  PROMPT_TEMPLATES,
  type PromptTemplate,
  type TemplateParameter,
} from './promptTemplateData.js';

export const PROMPT_TEMPLATES_URI = 'nano-banana://prompt-templates';

export function suggest(suggestions: readonly string[], typed: string): string[] {
  const prefix = typed.trimStart().toLowerCase();
  return suggestions.filter((s) => s.toLowerCase().startsWith(prefix));
}

/** Fills defaults for missing or blank optional arguments; throws on a missing required one. */
export function resolveArguments(
  tpl: PromptTemplate,
  args: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, param] of Object.entries(tpl.parameters)) {
    // Values are spliced into sentences: a trailing full stop would double up.
    const given = param.verbatim ? args[name]?.trim() : args[name]?.trim().replace(/[.\s]+$/, '');
    if (given) values[name] = given;
    else if (param.default !== undefined) values[name] = param.default;
    else
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Invalid arguments for prompt ${tpl.name}: "${name}" is required`,
      );
  }
  return values;
}

/** The prompt text and the line telling the assistant which tool to call with it. */
export function renderTemplate(tpl: PromptTemplate, args: Readonly<Record<string, string | undefined>>) {
  const values = resolveArguments(tpl, args);
  const prompt = tpl.render(values);
  return { prompt, nextStep: nextStep(tpl, values) };
}

function nextStep(tpl: PromptTemplate, values: Record<string, string>): string {
  if (tpl.tool === 'edit_image') {
    const alternative =
      tpl.name === 'composition_and_style_transfer'
        ? ' (or, for a new image instead, call generate_image with the text above as prompt and the photo in reference_images)'
        : '';
    return `Next: call edit_image with image set to the id of the image to change and the text above as instruction${alternative}.`;
  }
  const ratio = values.aspect_hint ? aspectRatioOf(values.aspect_hint) : undefined;
  return `Next: call generate_image with the text above as prompt${ratio ? ` and aspect_ratio "${ratio}"` : ''}.`;
}

function argsSchemaOf(tpl: PromptTemplate) {
  const shape: Record<string, z.ZodType<string | undefined>> = {};
  for (const [name, param] of Object.entries(tpl.parameters)) {
    const base = z
      .string()
      .max(1000)
      .describe(param.default === undefined ? param.description : `${param.description} Default: ${param.default}.`);
    const field = completable(param.required ? base.min(1) : base, (value, context) =>
      suggestionsFor(tpl, name, param, value ?? '', context?.arguments),
    );
    shape[name] = param.required ? field : field.optional();
  }
  return z.object(shape);
}

function suggestionsFor(
  tpl: PromptTemplate,
  name: string,
  param: TemplateParameter,
  typed: string,
  context: Record<string, string> | undefined,
): string[] {
  let pool: readonly string[] = param.suggestions;
  // The logo's text is most often the brand's own name.
  if (tpl.name === 'logo_text' && name === 'text') {
    const brand = context?.brand?.split(',')[0]?.trim();
    if (brand) pool = [...new Set([brand, brand.toUpperCase(), ...pool])];
  }
  return suggest(pool, typed);
}

/** The JSON of `nano-banana://prompt-templates`. */
export function promptTemplatesCatalog() {
  return {
    total_templates: PROMPT_TEMPLATES.length,
    categories: [...new Set(PROMPT_TEMPLATES.map((t) => t.category))],
    templates: Object.fromEntries(
      PROMPT_TEMPLATES.map((tpl) => [
        tpl.name,
        {
          title: tpl.title,
          description: tpl.description,
          category: tpl.category,
          category_description: CATEGORY_DESCRIPTIONS[tpl.category],
          tool: tpl.tool,
          use_cases: tpl.useCases,
          parameters: Object.fromEntries(
            Object.entries(tpl.parameters).map(([name, p]) => [
              name,
              {
                description: p.description,
                required: p.required,
                ...(p.default !== undefined ? { default: p.default } : {}),
                suggestions: p.suggestions,
                example: p.example,
              },
            ]),
          ),
          example_prompt: tpl.render(
            Object.fromEntries(Object.entries(tpl.parameters).map(([name, p]) => [name, p.example])),
          ),
        },
      ]),
    ),
  };
}

export function registerPromptTemplates(server: McpServer): void {
  for (const tpl of PROMPT_TEMPLATES) {
    server.registerPrompt(
      tpl.name,
      { title: tpl.title, description: tpl.description, argsSchema: argsSchemaOf(tpl) },
      (args) => {
        const { prompt, nextStep } = renderTemplate(tpl, args as Record<string, string | undefined>);
        return {
          description: tpl.description,
          messages: [{ role: 'user', content: { type: 'text', text: `${prompt}\n\n${nextStep}` } }],
        };
      },
    );
  }

  server.registerResource(
    'prompt-templates',
    PROMPT_TEMPLATES_URI,
    {
      title: 'Prompt templates',
      description:
        'JSON: the six prompt templates with their category, use cases, parameters (required, default, suggestions) and an example prompt.',
      mimeType: 'application/json',
    },
    async (uri) => ({
      contents: [
        { uri: uri.href, mimeType: 'application/json', text: JSON.stringify(promptTemplatesCatalog(), null, 2) },
      ],
    }),
  );
}
