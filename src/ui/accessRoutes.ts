/** Admin: changing the allow-list from the dashboard (the page itself is /ui/admin). */
import type { Hono } from 'hono';
import type { AccessList } from '../core/accessList.js';
import { InvalidInputError } from '../core/errors.js';
import type { DashboardEnv } from './routes.js';

export function accessRoutes(app: Hono<DashboardEnv>, access: AccessList | undefined): void {
  if (!access) return;
  // Admins only: the /ui/admin/* guard in accountRoutes runs first.
  app.post('/ui/admin/access', async (c) => {
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
  app.post('/ui/admin/access/remove', async (c) => {
    const viewer = c.get('viewer');
    const email = (c.get('form').email ?? '').trim();
    const removed = await access.remove(viewer.email ?? viewer.ownerId, email);
    const text = removed ? `${email} was taken off the list.` : `${email} was not on the list.`;
    return c.redirect(`/ui/admin?access=${encodeURIComponent(text)}`, 303);
  });
}
