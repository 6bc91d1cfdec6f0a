/**
 * The studio's library for one server: palettes, styles and templates (core/library.ts shelves), style
 * learning through the text model, and what the tools resolve a `palette` or `style` option to.
 * @module
 */
import { InvalidInputError } from './errors.js';
import { type Caller, type LibraryRepository, LibraryShelf } from './library.js';
import { parsePalette } from './palette.js';
import type { JsonGenerator } from './pipelines/types.js';
import {
  learnStyle,
  MAX_STYLE_REFERENCES,
  MIN_STYLE_REFERENCES,
  type StyleReference,
  type StyleValue,
  styleValue,
} from './styles.js';
import { checkTemplate, type TemplateValue } from './templates.js';

export interface PaletteValue {
  colours: string[];
}

export interface StudioLibrary {
  palettes: LibraryShelf<PaletteValue>;
  styles: LibraryShelf<StyleValue>;
  templates: LibraryShelf<TemplateValue>;
  /** Writes a style guide from 3 to 10 images with the text model (billed to the caller as a text call). */
  learnStyle(
    references: StyleReference[],
    caller: Caller,
    options?: { note?: string; signal?: AbortSignal },
  ): Promise<StyleValue>;
  /** A `palette` option: the name of a saved palette (the caller's or the team's), or hex colours. */
  resolvePalette(value: string | readonly string[], caller: Caller): Promise<string[]>;
  /** A `style` option: the name of a saved style; its guide. */
  resolveStyle(name: string, caller: Caller): Promise<{ name: string; guide: string }>;
}

export function createStudioLibrary(deps: {
  repo: LibraryRepository;
  text: JsonGenerator;
  textModel: string;
  newId: () => string;
  now?: () => Date;
  /** The caller's rate limit (the one every billed request takes); throws when they must wait. */
  admit?: (ownerId: string) => Promise<void>;
}): StudioLibrary {
  const palettes = new LibraryShelf<PaletteValue>(
    deps.repo,
    'palette',
    (body) => ({ colours: parsePalette((body as PaletteValue | undefined)?.colours ?? []) }),
    deps.newId,
    deps.now,
  );
  const styles = new LibraryShelf<StyleValue>(
    deps.repo,
    'style',
    (body) => {
      const parsed = styleValue.safeParse(body);
      if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
      return parsed.data;
    },
    deps.newId,
    deps.now,
  );
  const templates = new LibraryShelf<TemplateValue>(deps.repo, 'template', checkTemplate, deps.newId, deps.now);
  return {
    palettes,
    styles,
    templates,
    learnStyle: async (references, caller, options = {}) => {
      // A wrong number of images is refused before the rate limit counts the request.
      const n = references.length;
      if (n >= MIN_STYLE_REFERENCES && n <= MAX_STYLE_REFERENCES) await deps.admit?.(caller.ownerId);
      return learnStyle(deps.text, {
        model: deps.textModel,
        references,
        note: options.note,
        signal: options.signal,
        billing: { ownerId: caller.ownerId, pipelineId: null },
      });
    },
    async resolvePalette(value, caller) {
      const items = typeof value === 'string' ? [value] : [...value];
      const saved = await palettes.list(caller);
      if (items.length === 1) {
        const wanted = (items[0] as string).trim().toLowerCase();
        const hit =
          saved.find((r) => r.id === items[0]) ??
          saved.find((r) => r.scope === 'person' && r.name.toLowerCase() === wanted) ??
          saved.find((r) => r.name.toLowerCase() === wanted);
        if (hit) return hit.value.colours;
      }
      try {
        return parsePalette(items.flatMap((s) => s.split(/[\s,;]+/)));
      } catch (error) {
        const names = saved.map((r) => r.name);
        throw new InvalidInputError(
          `${(error as Error).message} Or name a saved palette${names.length > 0 ? `: ${names.join(', ')}` : ' (none saved yet; save one with the studio_library tool or in the studio at /ui/studio/palettes)'}.`,
        );
      }
    },
    async resolveStyle(name, caller) {
      const style = await styles.find(name, caller);
      return { name: style.name, guide: style.value.guide };
    },
  };
}
