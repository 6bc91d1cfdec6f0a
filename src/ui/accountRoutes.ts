/** Costs, settings (default model, access tokens) and the admin page. */
import type { Hono } from 'hono';
import { ForbiddenError, InvalidInputError } from '../core/errors.js';
import type { BudgetChange } from '../core/ports.js';
import type { Studio } from '../core/studio.js';
import { page } from './layout.js';
import { adminBody } from './pages/admin.js';
import { COST_DAYS, costsBody } from './pages/costs.js';
import { type SettingsView, settingsBody } from './pages/settings.js';
import type { DashboardEnv, DashboardOptions } from './routes.js';
import { rightsOf, type Viewer } from './viewer.js';

const ALL_TIME = '1970-01-01T00:00:00.000Z';

export function accountRoutes(app: Hono<DashboardEnv>, options: DashboardOptions): void {
  const now = () => options.now?.() ?? new Date();
  const since = () => new Date(now().getTime() - (COST_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);

  app.get('/ui/costs', async (c) => {
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

  app.get('/ui/settings', async (c) => {
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

  app.post('/ui/settings/model', async (c) => {
    const studio = await options.studio();
    await studio.settings.setDefaultModel(c.get('viewer').ownerId, c.get('form').model ?? '');
    return c.redirect('/ui/settings?saved=model', 303);
  });

  app.post('/ui/settings/tokens', async (c) => {
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

  app.post('/ui/settings/tokens/:id/revoke', async (c) => {
    const viewer = c.get('viewer');
    await (await options.studio()).accessTokens.revoke(c.req.param('id'), viewer.ownerId);
    return c.redirect('/ui/settings?saved=revoked', 303);
  });

  app.use('/ui/admin/*', async (c, next) => {
    if (!c.get('viewer').isAdmin) throw notAdmin();
    return next();
  });
  app.get('/ui/admin', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer.isAdmin) throw notAdmin();
    const studio = await options.studio();
    const [usage, budgets] = await Promise.all([
      studio.spending.usage({ since: `${since()}T00:00:00.000Z` }),
      studio.spending.listBudgets(),
    ]);
    const saved = c.req.query('saved');
    return c.html(
      page(viewer, {
        title: 'Admin',
        current: 'admin',
        body: adminBody(viewer, {
          usage,
          budgets,
          allowedEmails: options.allowedEmails,
          adminEmails: options.adminEmails,
        }),
        notice: saved ? { text: `Budget of ${saved} saved.` } : undefined,
      }),
    );
  });

  app.post('/ui/admin/budgets', async (c) => {
    const form = c.get('form');
    const owner = (form.owner ?? '').trim();
    const change: BudgetChange = {
      dailyUsd: amount(form.daily, 'daily budget'),
      monthlyUsd: amount(form.monthly, 'monthly budget'),
      requestsPerMinute: amount(form.rpm, 'rate limit'),
    };
    await (await options.studio()).spending.setBudget(owner, change);
    return c.redirect(`/ui/admin?saved=${encodeURIComponent(owner)}`, 303);
  });
}

const SAVED: Record<string, string> = {
  model: 'Default model saved. Your next image made without naming a model uses it.',
  revoked: 'Token revoked. Clients using it are refused from now on.',
};

function notAdmin(): ForbiddenError {
  return new ForbiddenError('This page is for the studio’s admins. Ask an admin if you need a budget changed.');
}

/** An empty field is no limit. */
function amount(value: string | undefined, what: string): number | null {
  const text = (value ?? '').trim();
  if (!text) return null;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new InvalidInputError(`The ${what} must be a number, or empty for no limit.`);
  return n;
}
