/**
 * The studio's making side at /ui/studio: Create (prompt, options, references, concepts), runs with live
 * progress (server-sent events, from whichever instance runs the pipeline) and cancel, edits from the
 * image page, comparing versions, and the library (palettes, styles, templates). Every action goes
 * through the same core calls as the MCP tools, as the signed-in person. A section mounted at /ui (the
 * library's pages are their own section, libraryRoutes.ts).
 * @module
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { httpAnswer, isInternalError } from '../../core/errorPresentation.js';
import { AppError, InvalidInputError } from '../../core/errors.js';
import type { PipelineEngine } from '../../core/pipelines/engine.js';
import type { PipelineRecord } from '../../core/pipelines/types.js';
import type { ImageRecord } from '../../core/ports.js';
import type { CallContext, Studio } from '../../core/studio.js';
import type { DashboardContext, DashboardEnv, DashboardOptions, DashboardSection } from '../dashboardEnv.js';
import { type Html, page } from '../layout.js';
import { rightsOf } from '../viewer.js';
import { type CreateChoices, conceptsBody, createBody, runBody, stateText } from './createPage.js';
import { filesOf, listField } from './formFiles.js';
import { compareBody, editSection, type Lineage } from './imageExtras.js';
import { referencesOf, submitEdit, submitGeneration } from './submit.js';

const MAX_WATCHED = 8;

export function studioRoutes(options: DashboardOptions): DashboardSection {
  const app = new Hono<DashboardEnv>();
  const engine = async (): Promise<PipelineEngine> => {
    if (!options.pipelines) throw new InvalidInputError('This server does not make images from the dashboard.');
    return options.pipelines();
  };

  app.get('/studio', async (c) => {
    const studio = await options.studio();
    return c.html(createPage(c, await choicesFor(studio, c), {}));
  });

  app.post('/studio/generate', async (c) => {
    const studio = await options.studio();
    const form = c.get('form');
    try {
      const call = await callOf(studio, c);
      const references = await referencesOf(studio, form, await listField(c, 'ref[]'), await filesOf(c), call);
      const records = await submitGeneration(studio, await engine(), form, references, call, options.autoStyle ?? true);
      return c.redirect(`/ui/studio/runs?ids=${records.map((r) => r.id).join(',')}`, 303);
    } catch (error) {
      return failed(c, error, async (notice) => createPage(c, await choicesFor(studio, c), form, notice));
    }
  });

  app.post('/studio/concepts', async (c) => {
    const studio = await options.studio();
    const form = c.get('form');
    try {
      const prompt = form.prompt?.trim();
      if (!prompt) throw new InvalidInputError('Write an idea (or feedback) to propose concepts for.');
      const count = Math.min(4, Math.max(1, Number.parseInt(form.count || '3', 10) || 3));
      const result = await (await engine()).proposeConcepts(
        { prompt, count, conversationId: form.conversation_id || undefined },
        await callOf(studio, c),
        c.req.raw.signal,
      );
      return c.html(
        page(c.get('viewer'), {
          title: 'Concepts',
          current: 'create',
          body: conceptsBody(c.get('viewer'), await choicesFor(studio, c), result, form),
        }),
      );
    } catch (error) {
      return failed(c, error, async (notice) => createPage(c, await choicesFor(studio, c), form, notice));
    }
  });

  app.get('/studio/runs', async (c) => {
    const ids = idsOf(c.req.query('ids'));
    const pipelines = await engine();
    const records = await Promise.all(ids.map((id) => pipelines.get(id, rightsOf(c.get('viewer')))));
    return c.html(
      page(c.get('viewer'), {
        title: 'Making images',
        current: 'create',
        body: runBody(c.get('viewer'), records),
      }),
    );
  });

  app.get('/studio/events', async (c) => {
    const ids = idsOf(c.req.query('ids'));
    const pipelines = await engine();
    const caller = rightsOf(c.get('viewer'));
    // Listening before reading, as waitForEnd does: a stage that started between the read and the
    // subscription was never shown (tests/studioScaleOut.spec.ts failed about one run in four).
    const latest = new Map<string, PipelineRecord>();
    const changed = new Set<string>(ids);
    let wake: () => void = () => {};
    const off = pipelines.onChange((record) => {
      const seen = latest.get(record.id);
      if (seen && seen.updatedAt > record.updatedAt) return;
      latest.set(record.id, record);
      changed.add(record.id);
      wake();
    }, ids);
    // Someone else's pipeline is "not found", before any stream starts.
    const first = await Promise.all(ids.map((id) => pipelines.get(id, caller))).catch((error: unknown) => {
      off();
      throw error;
    });
    for (const record of first) {
      const seen = latest.get(record.id);
      if (!seen || seen.updatedAt < record.updatedAt) latest.set(record.id, record);
    }
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => wake());
      try {
        while (!stream.aborted) {
          for (const id of [...changed]) {
            changed.delete(id);
            const record = latest.get(id) as PipelineRecord;
            await stream.writeSSE({ event: 'pipeline', data: JSON.stringify(eventOf(record)) });
          }
          if ([...latest.values()].every(isDone)) {
            await stream.writeSSE({ event: 'end', data: '{}' });
            break;
          }
          // A change that came while writing is sent now, not after the next one.
          if (changed.size > 0) continue;
          // Wait for a change, or send a comment every 15 s so that proxies keep the stream open.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 15_000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          if (changed.size === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
        }
      } finally {
        off();
      }
    });
  });

  app.post('/studio/pipelines/:id/cancel', async (c) => {
    const record = await (await engine()).cancel(c.req.param('id'), rightsOf(c.get('viewer')));
    const back = idsOf(c.req.query('ids') ?? record.id);
    return c.redirect(`/ui/studio/runs?ids=${back.join(',')}`, 303);
  });

  app.post('/images/:id/edit', async (c) => {
    const studio = await options.studio();
    const id = c.req.param('id');
    try {
      const records = await submitEdit(studio, await engine(), id, c.get('form'), await callOf(studio, c));
      return c.redirect(`/ui/studio/runs?ids=${records.map((r) => r.id).join(',')}`, 303);
    } catch (error) {
      return failed(c, error, async (notice) =>
        page(c.get('viewer'), {
          title: 'Edit',
          current: 'gallery',
          body: html`<p><a href="/ui/images/${id}">Back to the image</a></p>`,
          notice: { text: notice, error: true },
        }),
      );
    }
  });

  app.get('/compare', async (c) => {
    const studio = await options.studio();
    const rights = rightsOf(c.get('viewer'));
    const [a, b] = await Promise.all([
      studio.get(c.req.query('a') ?? '', rights),
      studio.get(c.req.query('b') ?? '', rights),
    ]);
    return c.html(page(c.get('viewer'), { title: 'Compare versions', current: 'gallery', body: compareBody(a, b) }));
  });

  return app;
}

/** What the image page adds: the edit form, the versions strip and compare. */
export async function imageExtras(c: DashboardContext, options: DashboardOptions, image: ImageRecord): Promise<Html> {
  const studio = await options.studio();
  const viewer = c.get('viewer');
  const palettes = (await studio.library?.palettes.list(rightsOf(viewer))) ?? [];
  return editSection(viewer, image, palettes, await lineageOf(studio, image, rightsOf(viewer)));
}

async function lineageOf(
  studio: Studio,
  image: ImageRecord,
  rights: { ownerId: string; isAdmin: boolean },
): Promise<Lineage> {
  const ancestors: ImageRecord[] = [];
  let parentId = image.parentId;
  while (parentId && ancestors.length < 20) {
    const parent = await studio.get(parentId, rights).catch(() => undefined);
    if (!parent) break;
    ancestors.unshift(parent);
    parentId = parent.parentId;
  }
  const descendants: ImageRecord[] = [];
  let frontier = [image.id];
  while (frontier.length > 0 && descendants.length < 30) {
    const kids = (await Promise.all(frontier.map((id) => studio.children(id, rights)))).flat();
    descendants.push(...kids);
    frontier = kids.map((k) => k.id);
  }
  descendants.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { versions: [...ancestors, image, ...descendants.slice(0, 30)], currentId: image.id };
}

function createPage(c: DashboardContext, choices: CreateChoices, form: Record<string, string>, notice?: string): Html {
  return page(c.get('viewer'), {
    title: 'Create',
    current: 'create',
    body: createBody(c.get('viewer'), choices, form),
    notice: notice ? { text: notice, error: true } : undefined,
  });
}

/** A refusal the person can act on (budget, rate limit, bad input, a refused prompt) shows on the form, kept as typed. */
async function failed(
  c: DashboardContext,
  error: unknown,
  render: (notice: string) => Promise<Html>,
): Promise<Response> {
  if (!(error instanceof AppError) || isInternalError(error)) throw error;
  const { status, headers } = httpAnswer(error, { masked: true });
  return c.html(await render(error.message), status as ContentfulStatusCode, headers);
}

async function choicesFor(studio: Studio, c: DashboardContext): Promise<CreateChoices> {
  const rights = rightsOf(c.get('viewer'));
  const [styles, palettes, recent] = await Promise.all([
    studio.library?.styles.list(rights) ?? [],
    studio.library?.palettes.list(rights) ?? [],
    studio.list({ ownerId: rights.ownerId }, { limit: 12 }),
  ]);
  return {
    registry: studio.registry,
    styles: styles.map((s) => ({ name: s.name, scope: s.scope })),
    palettes: palettes.map((p) => ({ name: p.name, scope: p.scope, colours: p.value.colours })),
    recent: recent.images,
  };
}

export async function callOf(studio: Studio, c: DashboardContext): Promise<CallContext> {
  const rights = rightsOf(c.get('viewer'));
  const defaultModel = await studio.settings.defaultModel(rights.ownerId);
  return { ...rights, ...(defaultModel ? { defaultModel } : {}) };
}

function idsOf(value: string | undefined): string[] {
  const ids = [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (ids.length === 0) throw new InvalidInputError('No pipeline ids were given.');
  return ids.slice(0, MAX_WATCHED);
}

function isDone(r: PipelineRecord): boolean {
  return r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled';
}

function eventOf(r: PipelineRecord) {
  return {
    id: r.id,
    status: r.status,
    stage: r.stage,
    progress: r.progressPercent,
    text: stateText(r),
    error: r.error,
    imageId: r.status === 'completed' ? r.resultImageId : null,
    stages: r.stages.map((s) => ({ name: s.name, state: s.state })),
  };
}
