/** The library's routes: save and delete palettes and templates, learn and edit styles (a section at /ui/studio). */
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { httpAnswer, isInternalError } from '../../core/errorPresentation.js';
import { AppError, InvalidInputError } from '../../core/errors.js';
import { sniffImageMime } from '../../core/mime.js';
import type { StudioLibrary } from '../../core/studioLibrary.js';
import type { DashboardContext, DashboardEnv, DashboardOptions, DashboardSection } from '../dashboardEnv.js';
import { type Html, page } from '../layout.js';
import { rightsOf } from '../viewer.js';
import { filesOf } from './formFiles.js';
import { palettesBody, stylesBody, templatesBody } from './libraryPages.js';

type Kind = 'palettes' | 'styles' | 'templates';

export function libraryRoutes(options: DashboardOptions): DashboardSection {
  const app = new Hono<DashboardEnv>();
  const library = async (): Promise<StudioLibrary> => {
    const lib = (await options.studio()).library;
    if (!lib) throw new InvalidInputError('This server keeps no palettes, styles or templates.');
    return lib;
  };
  const render = async (c: DashboardContext, kind: Kind, form: Record<string, string>, notice?: string) => {
    const lib = await library();
    const rights = rightsOf(c.get('viewer'));
    const viewer = c.get('viewer');
    let body: Html;
    if (kind === 'palettes') body = palettesBody(viewer, await lib.palettes.list(rights), form);
    else if (kind === 'styles') body = stylesBody(viewer, await lib.styles.list(rights), form);
    else body = templatesBody(viewer, await lib.templates.list(rights), form);
    const titles = { palettes: 'Brand palettes', styles: 'Styles', templates: 'Prompt templates' };
    return page(viewer, {
      title: titles[kind],
      current: 'library',
      body,
      notice: notice
        ? { text: notice, error: !notice.startsWith('Saved') && !notice.startsWith('Deleted') }
        : undefined,
    });
  };
  /** Runs a change and shows the page again: with what happened, or the refusal and the form as typed. */
  const change = async (c: DashboardContext, kind: Kind, run: () => Promise<string>) => {
    try {
      const done = await run();
      return c.redirect(`/ui/studio/${kind}?done=${encodeURIComponent(done)}`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || isInternalError(error)) throw error;
      const { status, headers } = httpAnswer(error, { masked: true });
      return c.html(await render(c, kind, c.get('form'), error.message), status as ContentfulStatusCode, headers);
    }
  };

  for (const kind of ['palettes', 'styles', 'templates'] as const) {
    app.get(`/${kind}`, async (c) => {
      const done = c.req.query('done');
      return c.html(await render(c, kind, {}, done ? done.slice(0, 200) : undefined));
    });
    app.post(`/${kind}/:id/delete`, (c) =>
      change(c, kind, async () => {
        const lib = await library();
        const shelf = kind === 'palettes' ? lib.palettes : kind === 'styles' ? lib.styles : lib.templates;
        await shelf.delete(c.req.param('id'), rightsOf(c.get('viewer')));
        return 'Deleted.';
      }),
    );
  }

  app.post('/palettes', (c) =>
    change(c, 'palettes', async () => {
      const form = c.get('form');
      const saved = await (await library()).palettes.save(
        { name: form.name ?? '', value: { colours: (form.colours ?? '').split(/[\s,;]+/) }, scope: scopeOf(form) },
        rightsOf(c.get('viewer')),
      );
      return `Saved palette ${saved.name}.`;
    }),
  );

  app.post('/templates', (c) =>
    change(c, 'templates', async () => {
      const form = c.get('form');
      const saved = await (await library()).templates.save(
        {
          name: form.name ?? '',
          value: { text: form.text ?? '', description: form.description ?? '', tool: form.tool || 'generate_image' },
          scope: scopeOf(form),
        },
        rightsOf(c.get('viewer')),
      );
      return `Saved template ${saved.name}.`;
    }),
  );

  // Editing a style's guide (the person reads and corrects what the model wrote).
  app.post('/styles', (c) =>
    change(c, 'styles', async () => {
      const form = c.get('form');
      const lib = await library();
      const rights = rightsOf(c.get('viewer'));
      const existing = form.id ? (await lib.styles.list(rights)).find((s) => s.id === form.id) : undefined;
      const saved = await lib.styles.save(
        {
          id: form.id || undefined,
          name: form.name ?? existing?.name ?? '',
          value: { ...(existing?.value ?? {}), guide: form.guide ?? '' },
          scope: scopeOf(form),
        },
        rights,
      );
      return `Saved style ${saved.name}.`;
    }),
  );

  app.post('/styles/learn', (c) =>
    change(c, 'styles', async () => {
      const form = c.get('form');
      const lib = await library();
      const rights = rightsOf(c.get('viewer'));
      const files = await filesOf(c);
      const references = files.map((f) => {
        const mimeType = sniffImageMime(f.data);
        if (!mimeType) throw new InvalidInputError(`${f.name || 'A file'} is not a PNG, JPEG, WebP or GIF image.`);
        return { data: f.data, mimeType };
      });
      // The name is checked before paying for the text model.
      if (!form.name?.trim()) throw new InvalidInputError('Give the style a name.');
      const value = await lib.learnStyle(references, rights, {
        note: form.note?.trim() || undefined,
        signal: c.req.raw.signal,
      });
      const saved = await lib.styles.save({ name: form.name, value, scope: scopeOf(form) }, rights);
      return `Saved style ${saved.name}, learned from ${references.length} images. Read and correct its guide below.`;
    }),
  );
  return app;
}

function scopeOf(form: Record<string, string>): 'person' | 'team' {
  return form.scope === 'team' ? 'team' : 'person';
}
