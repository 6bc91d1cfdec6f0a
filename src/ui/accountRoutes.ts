/** Costs and settings (default model, access tokens): a section mounted at /ui. */
import { Hono } from 'hono';
import { InvalidInputError } from '../core/errors.js';
import type { Studio } from '../core/studio.js';
import type { DashboardEnv, DashboardOptions, DashboardSection } from './dashboardEnv.js';
import { page } from './layout.js';
import { costsBody, costsSince } from './pages/costs.js';
import { type SettingsView, settingsBody } from './pages/settings.js';
import { rightsOf, type Viewer } from './viewer.js';

const ALL_TIME = '1970-01-01T00:00:00.000Z';

export function accountRoutes(options: DashboardOptions): DashboardSection {
  const app = new Hono<DashboardEnv>();
  const now = () => options.now?.() ?? new Date();
  const since = () => costsSince(now());

  app.get('/costs', async (c) => {
    const viewer = c.get('viewer');
    const studio = await options.studio();
    const summary = await studio.costSummary(rightsOf(viewer), { since: `${since()}T00:00:00.000Z` });
    const perUser = viewer.isAdmin ? await studio.spending.usage({ since: ALL_TIME }) : undefined;
    return c.html(page(viewer, { title: 'Costs', current: 'costs', body: costsBody(viewer, summary, now(), perUser) }));
  });

  const settings = async (viewer: Viewer, studio: Studio, extra: Partial<SettingsView> = {}) => ({
    // A retired model is not offered as a default (one chosen before it retired falls back with a note).
    models: studio.registry.models.filter((m) => studio.registry.lifecycle(m).effective !== 'retired'),
    serverDefault: studio.registry.defaultAlias,
    defaultModel: await studio.settings.defaultModel(viewer.ownerId),
    tokens: viewer.local ? [] : await studio.accessTokens.list(viewer.ownerId),
    ...extra,
  });

  app.get('/settings', async (c) => {
    const viewer = c.get('viewer');
    const saved = c.req.query('saved');
    return c.html(
      page(viewer, {
        title: 'Settings',
        current: 'settings',
        body: settingsBody(viewer, await settings(viewer, await options.studio())),
        notice: saved ? { text: SAVED[saved] ?? 'Saved.' } : undefined,
      }),
    );
  });

  app.post('/settings/model', async (c) => {
    const studio = await options.studio();
    await studio.settings.setDefaultModel(c.get('viewer').ownerId, c.get('form').model ?? '');
    return c.redirect('/ui/settings?saved=model', 303);
  });

  app.post('/settings/tokens', async (c) => {
    const viewer = c.get('viewer');
    if (viewer.local || !viewer.email)
      throw new InvalidInputError('Access tokens are for a studio with sign-in on; this one needs none.');
    const studio = await options.studio();
    const created = await studio.accessTokens.create(viewer.email, c.get('form').name ?? '');
    // Answered here, not redirected: the secret is shown once and never put in a URL.
    return c.html(
      page(viewer, {
        title: 'Settings',
        current: 'settings',
        body: settingsBody(viewer, await settings(viewer, studio, { created })),
      }),
    );
  });

  app.post('/settings/tokens/:id/revoke', async (c) => {
    const viewer = c.get('viewer');
    await (await options.studio()).accessTokens.revoke(c.req.param('id'), viewer.ownerId);
    return c.redirect('/ui/settings?saved=revoked', 303);
  });
  return app;
}

const SAVED: Record<string, string> = {
  model: 'Default model saved. Your next image made without naming a model uses it.',
  revoked: 'Token revoked. Clients using it are refused from now on.',
};
