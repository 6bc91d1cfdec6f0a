/**
 * A person's own prompt templates (saved in the studio, core/templates.ts) as MCP prompts for that person,
 * next to the built-in ones: `my_<name>`, one argument per named parameter, with completion from the
 * parameter's default and suggestions. Nobody else's are listed.
 * @module
 */
import {
  completable,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type RegisteredPrompt,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { fillTemplate, promptNameOf, type TemplateValue, templateParameters } from '../core/templates.js';
import { suggest } from './promptTemplates.js';

export interface SavedTemplate {
  name: string;
  value: TemplateValue;
}

/** Registers them; the handles let the caller remove them when the person's templates change. */
export function registerPersonalTemplates(server: McpServer, templates: readonly SavedTemplate[]): RegisteredPrompt[] {
  const taken = new Set<string>();
  const registered: RegisteredPrompt[] = [];
  for (const tpl of templates) {
    const promptName = promptNameOf(tpl.name);
    // A team template and a personal one of the same name: the person's own comes first in the list.
    if (taken.has(promptName)) continue;
    taken.add(promptName);
    const params = templateParameters(tpl.value.text);
    const shape: Record<string, z.ZodType<string | undefined>> = {};
    for (const p of params) {
      const base = z
        .string()
        .max(1000)
        .describe(p.default === undefined ? `${p.name} (required)` : `${p.name}. Default: ${p.default}.`);
      const field = completable(p.required ? base.min(1) : base, (value) =>
        suggest(p.suggestions.length > 0 ? p.suggestions : p.default ? [p.default] : [], value ?? ''),
      );
      shape[p.name] = p.required ? field : field.optional();
    }
    const description = tpl.value.description || `Your template "${tpl.name}" from the studio.`;
    const handle = server.registerPrompt(
      promptName,
      { title: tpl.name, description, argsSchema: z.object(shape) },
      (args) => {
        let text: string;
        try {
          text = fillTemplate(tpl.value.text, args as Record<string, string | undefined>);
        } catch (error) {
          throw new ProtocolError(ProtocolErrorCode.InvalidParams, (error as Error).message);
        }
        const next =
          tpl.value.tool === 'edit_image'
            ? 'Next: call edit_image with image set to the id of the image to change and the text above as instruction.'
            : 'Next: call generate_image with the text above as prompt.';
        return { description, messages: [{ role: 'user', content: { type: 'text', text: `${text}\n\n${next}` } }] };
      },
    );
    registered.push(handle);
  }
  return registered;
}
