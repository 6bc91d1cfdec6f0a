/**
 * The admin page, budgets and (with the allow-list in the database) changing who may sign in: a section
 * mounted at /ui/admin, for the studio's admins only.
 * @module
 */
import { Hono } from 'hono';
import { ForbiddenError, InvalidInputError } from '../core/errors.js';
import type { BudgetChange } from '../core/ports.js';
import type { DashboardEnv, DashboardOptions, DashboardSection } from './dashboardEnv.js';
import { page } from './layout.js';
import { adminBody } from './pages/admin.js';
import { costsSince } from './pages/costs.js';

export function adminRoutes(options: DashboardOptions): DashboardSection {
  const app = new Hono<DashboardEnv>();
  const since = () => costsSince(options.now?.() ?? new Date());

  app.use('*', async (c, next) => {
    if (!c.get('viewer').isAdmin) throw notAdmin();
    return next();
  });
  app.get('/', async (c) => {
    const viewer = c.get('viewer');
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
          ...(options.storage ? { storage: await options.storage() } : {}),
          ...(options.access && !viewer.local
            ? {
                access: {
                  entries: await options.access.entries(),
                  isConfigured: (email: string) => options.access?.isConfigured(email) === true,
                  audit: await options.access.audit(50),
                },
              }
            : {}),
        }),
        notice: saved
          ? { text: `Budget of ${saved} saved.` }
          : c.req.query('access')
            ? { text: c.req.query('access') as string }
            : undefined,
      }),
    );
  });

  app.post('/budgets', async (c) => {
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

  const access = options.access;
  if (!access) return app;
  app.post('/access', async (c) => {
    const viewer = c.get('viewer');
    const form = c.get('form');
    const role = form.role === 'admin' ? 'admin' : form.role === 'member' || !form.role ? 'member' : undefined;
    if (!role) throw new InvalidInputError('The role must be member or admin.');
    const email = (form.email ?? '').trim();
    const done = await access.put(viewer.email ?? viewer.ownerId, email, role);
    const text =
      done === 'add'
        ? `${email} may sign in now.`
        : done === 'change'
          ? `${email} is ${role} now.`
          : `${email} was already on the list.`;
    return c.redirect(`/ui/admin?access=${encodeURIComponent(text)}`, 303);
  });
  app.post('/access/remove', async (c) => {
    const viewer = c.get('viewer');
    const email = (c.get('form').email ?? '').trim();
    const removed = await access.remove(viewer.email ?? viewer.ownerId, email);
    const text = removed ? `${email} was taken off the list.` : `${email} was not on the list.`;
    return c.redirect(`/ui/admin?access=${encodeURIComponent(text)}`, 303);
  });
  return app;
}

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
