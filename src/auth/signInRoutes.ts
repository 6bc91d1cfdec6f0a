/**
 * The sign-in server's routes: better-auth's OAuth endpoints (registration, token and revocation behind our
 * guards), the metadata at the origin, and the pages a person passes through: straight on to the OpenID
 * provider, back with a refusal (to the client as `access_denied` when it can be trusted with it), signed in,
 * and consent.
 * @module
 */
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Logger } from '../core/logger.js';
import { consentPage, signInErrorPage } from './pages.js';
import { AUTH_BASE, MCP_SCOPES } from './providerSettings.js';
import { signInRefusal } from './refusals.js';
import { matchesRegisteredRedirect } from './registrationNormaliser.js';
import { serveWellKnown } from './wellKnown.js';

/** Keeps the client's authorization request while the person is at the provider (10 minutes). */
const PENDING_COOKIE = 'nbs_pending_auth';

type Handler = (request: Request) => Promise<Response>;

export function signInRoutes(options: {
  /** better-auth's own handler, for everything under /api/auth and the metadata. */
  handler: Handler;
  /** Dynamic registration, the token endpoint and revocation, each through its guard. */
  register: Handler;
  token: Handler;
  revoke: Handler;
  /** A POST to one of better-auth's endpoints, as the browser would have made it. */
  internal(path: string, cookie: string | undefined, body: unknown): Promise<Response>;
  /** The redirect URIs a client registered (none for an unknown client). */
  registeredRedirects(clientId: string): Promise<string[]>;
  issuer: string;
  log: Logger;
}): Hono {
  const app = new Hono();
  app.post(`${AUTH_BASE}/oauth2/register`, (c) => options.register(c.req.raw));
  app.post(`${AUTH_BASE}/oauth2/token`, (c) => options.token(c.req.raw));
  app.post(`${AUTH_BASE}/oauth2/revoke`, (c) => options.revoke(c.req.raw));
  app.on(['GET', 'POST'], `${AUTH_BASE}/*`, (c) => options.handler(c.req.raw));
  // RFC 9728 protected-resource and RFC 8414 authorization-server metadata at the origin.
  app.get('/.well-known/*', (c) =>
    serveWellKnown(c.req.raw, options.handler, { authBase: AUTH_BASE, scopes: MCP_SCOPES }),
  );

  // Sign-in: straight on to the OpenID provider, carrying the signed authorization request along.
  app.get('/login', async (c) => {
    const oauthQuery = new URL(c.req.url).search.slice(1);
    const res = await options.internal('/sign-in/social', c.req.header('cookie'), {
      provider: 'oidc',
      callbackURL: '/signed-in',
      errorCallbackURL: '/login-error',
      oauth_query: oauthQuery,
    });
    const body = (await res.json().catch(() => ({}))) as { url?: string };
    if (!res.ok || !body.url) {
      options.log.warn({ status: res.status, body }, 'sign-in could not start');
      return c.html(signInErrorPage('The sign-in could not start. Try again; the server log has the details.'), 502);
    }
    // Kept so that a refused sign-in can send the client back with access_denied instead of stranding it.
    setCookie(c, PENDING_COOKIE, Buffer.from(oauthQuery).toString('base64url'), {
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      maxAge: 600,
    });
    for (const cookie of res.headers.getSetCookie()) c.header('set-cookie', cookie, { append: true });
    return c.redirect(body.url, 302);
  });

  app.get('/login-error', async (c) => {
    const error = c.req.query('error') ?? 'unknown';
    const pending = getCookie(c, PENDING_COOKIE);
    if (pending) {
      const query = new URLSearchParams(Buffer.from(pending, 'base64url').toString());
      const registered = await options.registeredRedirects(query.get('client_id') ?? '');
      const redirectUri = query.get('redirect_uri');
      if (redirectUri && matchesRegisteredRedirect(registered, redirectUri)) {
        const back = new URL(redirectUri);
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', signInRefusal(error));
        const state = query.get('state');
        if (state) back.searchParams.set('state', state);
        back.searchParams.set('iss', options.issuer);
        return c.redirect(back.toString(), 302);
      }
    }
    return c.html(signInErrorPage(signInRefusal(error)), 403);
  });

  app.get('/signed-in', (c) =>
    c.html(signInErrorPage('You are signed in. Go back to your assistant: it finishes connecting by itself.'), 200),
  );

  app.get('/consent', (c) => {
    const query = new URL(c.req.url).search.slice(1);
    return c.html(consentPage(new URLSearchParams(query), query));
  });
  app.post('/consent', async (c) => {
    const form = await c.req.parseBody();
    const res = await options.internal('/oauth2/consent', c.req.header('cookie'), {
      accept: form.accept === 'true',
      oauth_query: String(form.oauth_query ?? ''),
    });
    const body = (await res.json().catch(() => ({}))) as { redirect_uri?: string; url?: string };
    const target = body.redirect_uri ?? body.url;
    if (!target)
      return c.html(
        signInErrorPage(`The consent could not be recorded (${res.status}). Start again from your assistant.`),
        400,
      );
    return c.redirect(target, 302);
  });
  return app;
}
