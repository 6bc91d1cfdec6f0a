/**
 * The studio dashboard at /ui: server-rendered pages for people (gallery, image pages, costs, settings,
 * admin), signed in through the same provider as MCP clients, or the one local user when sign-in is off.
 * Every response carries a strict Content-Security-Policy; every POST carries a CSRF token.
 * @module
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { NotFoundError } from '../core/errors.js';
import { accountRoutes } from './accountRoutes.js';
import { adminRoutes } from './adminRoutes.js';
import { ASSETS } from './assets.js';
import { CSRF_FIELD, checkCsrf, csrfToken, localSessionId } from './csrf.js';
import type { DashboardContext, DashboardEnv, DashboardOptions } from './dashboardEnv.js';
import { dashboardError } from './errorPage.js';
import { imageRoutes } from './imageRoutes.js';
import { messagePage } from './pages/messages.js';
import { libraryRoutes } from './studio/libraryRoutes.js';
import { studioRoutes } from './studio/studioRoutes.js';
import { LOCAL_VIEWER, type Viewer } from './viewer.js';

export const CSP =
  "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const PUBLIC = new Set(['/ui/sign-in', '/ui/sign-in/error', '/ui/signed-out']);

export function createDashboard(options: DashboardOptions): { fetch(request: Request): Promise<Response> } {
  const app = new Hono<DashboardEnv>();
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', CSP);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'same-origin');
    c.res.headers.set('X-Frame-Options', 'DENY');
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  });

  app.get('/ui/assets/:file', (c) => {
    const asset = ASSETS.get(c.req.path);
    if (!asset) throw new NotFoundError('No such file. Reload the page to get the current one.');
    return c.body(asset.body, 200, {
      'Content-Type': asset.type,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });

  app.get('/ui/sign-in', async (c) => {
    if (!options.signIn) return c.redirect('/ui', 302);
    const next = safeNext(c.req.query('next'));
    try {
      return await (await options.signIn).startSignIn(c.req.raw, {
        callbackURL: next,
        errorCallbackURL: '/ui/sign-in/error',
      });
    } catch (error) {
      options.log.warn({ err: error }, 'dashboard sign-in could not start');
      return c.html(
        messagePage(undefined, 'Sign-in could not start', 'Try again in a moment; the server log has the details.'),
        502,
      );
    }
  });
  app.get('/ui/sign-in/error', async (c) => {
    // Nothing to refuse with sign-in off.
    if (!options.signIn) return c.redirect('/ui', 302);
    return c.html(
      messagePage(
        undefined,
        'Sign-in refused',
        (await options.signIn).refusal(c.req.query('error') ?? 'unknown'),
        html`<p><a href="/ui/sign-in">Sign in again</a></p>`,
      ),
      403,
    );
  });
  app.get('/ui/signed-out', (c) =>
    c.html(
      messagePage(
        undefined,
        'Signed out',
        'You are signed out of the studio.',
        html`<p><a href="/ui/sign-in">Sign in again</a></p>`,
      ),
    ),
  );

  // Everything else: who is looking, and on a POST, that the form is theirs.
  app.use('*', async (c, next) => {
    if (PUBLIC.has(c.req.path) || c.req.path.startsWith('/ui/assets/')) return next();
    const viewer = await resolveViewer(c, options);
    if (!viewer) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD')
        return c.redirect(`/ui/sign-in?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`, 302);
      return c.html(
        messagePage(
          undefined,
          'Not signed in',
          'Your session has ended.',
          html`<p><a href="/ui/sign-in">Sign in</a>, then try again.</p>`,
        ),
        401,
      );
    }
    c.set('viewer', viewer);
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody();
      const form = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
      if (!checkCsrf(viewer.csrf, form[CSRF_FIELD]))
        return c.html(
          messagePage(
            viewer,
            'Form refused',
            'This form did not come from this page of the studio, or it has expired. Go back, reload the page and try again.',
          ),
          403,
        );
      c.set('form', form);
    }
    return next();
  });

  app.post('/ui/sign-out', async (c) => {
    if (!options.signIn) return c.redirect('/ui', 303);
    return (await options.signIn).signOut(c.req.raw, '/ui/signed-out');
  });
  // The sections, each a sub-app behind the checks above.
  app.route('/ui', studioRoutes(options));
  app.route('/ui/studio', libraryRoutes(options));
  app.route('/ui', imageRoutes(options));
  app.route('/ui', accountRoutes(options));
  app.route('/ui/admin', adminRoutes(options));

  app.notFound((c) =>
    c.html(
      messagePage(
        c.get('viewer'),
        'Not found',
        'There is no such page. Go back to the gallery.',
        html`<p><a href="/ui">Gallery</a></p>`,
      ),
      404,
    ),
  );
  app.onError((error, c) => dashboardError(error, c, c.get('viewer'), options.log));
  return { fetch: async (request) => app.fetch(request) };
}

async function resolveViewer(c: DashboardContext, options: DashboardOptions): Promise<Viewer | undefined> {
  if (options.signIn) {
    const user = await (await options.signIn).sessionUser(c.req.raw);
    if (!user) return undefined;
    return {
      ownerId: user.userId,
      email: user.email,
      isAdmin: user.isAdmin,
      local: false,
      csrf: csrfToken(options.secret, user.sessionId),
    };
  }
  const session = localSessionId(c, secureCookies(options.publicUrl()));
  return { ...LOCAL_VIEWER, csrf: csrfToken(options.secret, session) };
}

function secureCookies(publicUrl: string | undefined): boolean {
  if (!publicUrl) return true;
  const url = new URL(publicUrl);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return !(url.protocol === 'http:' && loopback);
}

/** Only a path under /ui (no other site, no protocol-relative URL). */
function safeNext(next: string | undefined): string {
  return next && /^\/ui(?:[/?]|$)/.test(next) && !next.startsWith('//') ? next : '/ui';
}
