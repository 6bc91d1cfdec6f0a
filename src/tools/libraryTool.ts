/**
 * studio_library: the studio's library over MCP — brand palettes, styles and prompt templates — with the
 * same core shelves, ownership and team rules as /ui/studio/{palettes,styles,templates}. One tool with a
 * compact input, so that the tool list stays small.
 * @module
 */
import { z } from 'zod';
import { ForbiddenError, InvalidInputError } from '../core/errors.js';
import { type Caller, type LibraryRow, NAME_PATTERN } from '../core/library.js';
import type { StudioLibrary } from '../core/studioLibrary.js';
import type { StyleReference } from '../core/styles.js';
import { promptNameOf, type TemplateValue, templateParameters } from '../core/templates.js';
import { looksLikeUploadId } from '../core/uploads.js';
import { defineTool } from '../mcp/defineTool.js';
import type { ToolResponse } from '../mcp/toolResponse.js';
import type { StudioToolContext } from './context.js';

type Kind = 'palette' | 'style' | 'template';

export const studioLibrary = defineTool({
  name: 'studio_library',
  title: 'Palettes, styles and templates',
  description:
    "Saved brand palettes, styles and prompt templates (yours, the team's). Image tools take their names; templates become my_* prompts. learn: a style from 3-10 images (billed text call).",
  inputSchema: z.object({
    kind: z.enum(['palette', 'style', 'template']).describe('Shelf.'),
    action: z.enum(['list', 'get', 'save', 'delete', 'learn']).default('list').describe('learn: style only.'),
    name: z.string().max(64).optional().describe('Name (id too for get/delete).'),
    colours: z.array(z.string()).max(12).optional().describe('Palette: #RRGGBB'),
    guide: z.string().max(8000).optional().describe('Style: its guide.'),
    text: z.string().max(4000).optional().describe('Template: {{param}}, {{param=default|other}}'),
    description: z.string().max(300).optional().describe('Template: its use.'),
    tool: z.enum(['generate_image', 'edit_image']).optional().describe('Template: its tool.'),
    images: z.array(z.string()).max(10).optional().describe('learn: img_/upl_ ids'),
    note: z.string().max(500).optional().describe('learn: a hint.'),
    team: z.boolean().optional().describe('Save for the team (admins).'),
  }),
  // MCP's defaults (may change and delete, calls Gemini on learn), left unsaid to keep the list small.
  annotations: {},
  async handle(ctx: StudioToolContext, params, res) {
    const lib = ctx.studio.library;
    if (!lib) throw new InvalidInputError('This server keeps no palettes, styles or templates.');
    const caller: Caller = { ownerId: ctx.call.ownerId, isAdmin: ctx.call.isAdmin === true };
    const shelf = shelfOf(lib, params.kind);
    const name = params.name?.trim() ?? '';
    const needName = () => {
      if (!name) throw new InvalidInputError(`Give the ${params.kind}'s name.`);
      return name;
    };
    switch (params.action) {
      case 'list': {
        const rows = await shelf.list(caller);
        if (rows.length === 0) {
          res.addText(`No ${params.kind}s saved yet. Save one with action "save"${learnHint(params.kind)}.`);
          return;
        }
        res.addText(rows.map((r) => describe(params.kind, r, caller)).join('\n'));
        res.setStructured({ items: rows.map((r) => itemOf(params.kind, r, caller)) });
        return;
      }
      case 'get': {
        const row = await shelf.find(needName(), caller);
        res.addText(describe(params.kind, row, caller, true));
        res.setStructured(itemOf(params.kind, row, caller));
        return;
      }
      case 'delete': {
        const row = await shelf.find(needName(), caller);
        await shelf.delete(row.id, caller);
        if (params.kind === 'template') await ctx.onTemplatesChanged?.();
        res.addText(`Deleted ${params.kind} ${row.name} (${row.id}).`);
        return;
      }
      case 'save': {
        const scope = params.team ? 'team' : 'person';
        const existing = (await shelf.list(caller)).find(
          (r) => r.scope === scope && r.name.toLowerCase() === needName().toLowerCase(),
        );
        const value = bodyToSave(params, existing?.value);
        const saved = await shelf.save({ name, value, scope }, caller);
        if (params.kind === 'template') await ctx.onTemplatesChanged?.();
        done(res, params.kind, saved, caller, existing ? 'Updated' : 'Saved');
        return;
      }
      case 'learn': {
        if (params.kind !== 'style') throw new InvalidInputError('Only a style is learned (kind: "style").');
        // Everything that would refuse the save is checked before the billed call.
        if (!NAME_PATTERN.test(needName()))
          throw new InvalidInputError(
            `"${name}" is not a usable name: 1 to 64 letters, digits, spaces, dots, dashes or underscores.`,
          );
        if (params.team && !caller.isAdmin) throw new ForbiddenError('Only an admin can save a team style.');
        const references = await Promise.all((params.images ?? []).map((id) => referenceOf(ctx, id)));
        const value = await lib.learnStyle(references, caller, { note: params.note, signal: ctx.call.signal });
        const saved = await lib.styles.save({ name, value, scope: params.team ? 'team' : 'person' }, caller);
        done(res, 'style', saved, caller, `Learned from ${references.length} images and saved`);
        res.addText(`Guide (edit with action "save" and guide):\n${value.guide}`);
        return;
      }
    }
  },
});

function shelfOf(lib: StudioLibrary, kind: Kind) {
  return kind === 'palette' ? lib.palettes : kind === 'style' ? lib.styles : lib.templates;
}

function learnHint(kind: Kind): string {
  return kind === 'style' ? ', or "learn" from 3-10 image or upload ids' : '';
}

type Params = { kind: Kind; colours?: string[]; guide?: string; text?: string; description?: string; tool?: string };

/** The body to save: what was given, over what the item of that name already holds. */
function bodyToSave(params: Params, existing: unknown): unknown {
  const before = (existing ?? {}) as Record<string, unknown>;
  if (params.kind === 'palette') {
    if (!params.colours?.length)
      throw new InvalidInputError('Give the palette\'s colours, e.g. ["#E4572E", "#29335C"].');
    return { colours: params.colours };
  }
  if (params.kind === 'style') {
    if (!params.guide?.trim() && !before.guide) throw new InvalidInputError('Give the style\'s guide, or "learn" it.');
    return { ...before, ...(params.guide !== undefined ? { guide: params.guide } : {}) };
  }
  if (!params.text?.trim() && !before.text) throw new InvalidInputError("Give the template's text.");
  return {
    ...before,
    ...(params.text !== undefined ? { text: params.text } : {}),
    ...(params.description !== undefined ? { description: params.description } : {}),
    ...(params.tool !== undefined ? { tool: params.tool } : {}),
  };
}

async function referenceOf(ctx: StudioToolContext, id: string): Promise<StyleReference> {
  const trimmed = id.trim();
  if (looksLikeUploadId(trimmed)) {
    if (!ctx.uploads) throw new InvalidInputError('This server keeps no uploads; give image ids.');
    const upload = await ctx.uploads.get(trimmed, ctx.call);
    const ref = await ctx.uploads.referenceFor(upload.id, upload.ownerId, ctx.call.signal);
    return ref.kind === 'inline'
      ? { data: ref.data, mimeType: ref.mimeType }
      : { uri: ref.uri, mimeType: ref.mimeType };
  }
  const record = await ctx.studio.get(trimmed, ctx.call);
  return { data: await ctx.studio.readImage(record), mimeType: record.mimeType };
}

function whose(row: LibraryRow, caller: Caller): string {
  return row.scope === 'team' ? 'team' : row.ownerId === caller.ownerId ? 'yours' : row.ownerId;
}

function summary(kind: Kind, value: unknown): string {
  if (kind === 'palette') return (value as { colours: string[] }).colours.join(' ');
  if (kind === 'style') return (value as { guide: string }).guide.split('\n')[0]?.slice(0, 120) ?? '';
  const tpl = value as TemplateValue;
  const params = templateParameters(tpl.text).map((p) => (p.required ? p.name : `${p.name}?`));
  return params.length > 0 ? `(${params.join(', ')})` : '(no parameters)';
}

function describe(kind: Kind, row: LibraryRow & { value: unknown }, caller: Caller, full = false): string {
  const head = `${row.name} [${whose(row, caller)}, ${row.id}]`;
  const prompt = kind === 'template' ? ` ${promptNameOf(row.name)}` : '';
  if (!full) return `${head}${prompt}: ${summary(kind, row.value)}`;
  const body =
    kind === 'palette'
      ? summary(kind, row.value)
      : kind === 'style'
        ? (row.value as { guide: string }).guide
        : `${(row.value as TemplateValue).text}\n(for ${(row.value as TemplateValue).tool}; ${summary(kind, row.value)})`;
  return `${head}${prompt}\n${body}`;
}

function itemOf(kind: Kind, row: LibraryRow & { value: unknown }, caller: Caller): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    mine: whose(row, caller) === 'yours',
    ...(kind === 'template' ? { prompt: promptNameOf(row.name) } : {}),
    value: row.value,
    updated_at: row.updatedAt,
  };
}

function done(res: ToolResponse, kind: Kind, row: LibraryRow & { value: unknown }, caller: Caller, verb: string): void {
  const use =
    kind === 'palette'
      ? `Use it with palette: "${row.name}".`
      : kind === 'style'
        ? `Use it with style: "${row.name}".`
        : `It is the prompt ${promptNameOf(row.name)}.`;
  res.addText(`${verb} ${kind} ${row.name} [${whose(row, caller)}, ${row.id}]. ${use}`);
  res.setStructured(itemOf(kind, row, caller));
}

export const libraryTools = [studioLibrary];
