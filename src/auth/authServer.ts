/**
 * Sign-in for MCP clients: this server is the OAuth 2.1 authorization server they talk to (metadata,
 * dynamic registration, PKCE S256, resource indicators, refresh with rotation, revocation), built on
 * better-auth and its MCP plugin; people sign in upstream with any OpenID Connect provider (Google by
 * default) found through discovery. The email allow-list is checked at sign-in, at every token refresh
 * and on every MCP request. better-auth keeps its own tables (prefixed `auth_`) in our database, through
 * our Kysely instance. See docs/design/oauth-better-auth.md for what was verified and why.
 * @module
 */
import { mcp } from '@better-auth/mcp';
import { betterAuth } from 'better-auth';
import { APIError } from 'better-auth/api';
import { getMigrations } from 'better-auth/db/migration';
import { genericOAuth, jwt } from 'better-auth/plugins';
import { Hono } from 'hono';
import { createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import { InvalidTokenError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { accessTokenDenyListSchema, createAccessTokenDenyList } from './accessTokenDenyList.js';
import { accessTokenRevocation } from './accessTokenRevocation.js';
import { clientMetadataDocuments } from './clientMetadataDocuments.js';
import { createDashboardSessions, type DashboardSessions } from './dashboardSessions.js';
import { consentPage, signInErrorPage } from './pages.js';
import { refreshReplayGuard } from './refreshRotation.js';
import { createRegistrationNormaliser, matchesRegisteredRedirect } from './registrationNormaliser.js';
import { serveWellKnown } from './wellKnown.js';

export interface AuthServerOptions {
  /** Our Kysely instance and its dialect (better-auth issues its own SQL through it). */
  database: { db: unknown; kind: 'sqlite' | 'postgres' };
  /** The public origin, e.g. https://studio.example.com (no trailing slash). */
  origin: string;
  oidc: { issuer: string; clientId: string; clientSecret: string };
  secret: string;
  /** Lower-cased emails allowed to sign in (read on every check, so a change applies at once). */
  allowedEmails: () => ReadonlySet<string>;
  adminEmails: () => ReadonlySet<string>;
  /** Access-token lifetime: removing an email takes effect at the next request and the next refresh. */
  accessTokenSeconds?: number;
  /** Fetch client metadata documents from loopback and private hosts (development and tests only). */
  allowPrivateClientMetadataHosts?: boolean;
  /** Personal access tokens (`nbs_pat_…`), for clients that only take a header. */
  personalTokens: {
    verify(secret: string): Promise<{ ownerId: string; email: string; tokenId: string } | undefined>;
    /** Called once per signed-in person and process, so tokens can be made for them by email. */
    rememberUser(userId: string, email: string): Promise<void>;
  };
  log: Logger;
}

/** Who is calling, from a verified access token. */
export interface SignedInUser {
  userId: string;
  email: string;
  isAdmin: boolean;
}

export interface AuthInfoLike {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  resource: URL;
  extra: { userId: string; email: string; isAdmin: boolean };
}

export interface AuthServer extends DashboardSessions {
  mcpUrl: string;
  scopes: readonly string[];
  issuer: string;
  /** The OAuth endpoints, metadata, and the sign-in, consent and error pages. */
  fetch(request: Request): Response | Promise<Response>;
  /** Verifies a bearer access token for /mcp; throws when it is invalid, expired or the email is not allowed. */
  verifyAccessToken(token: string): Promise<AuthInfoLike>;
}

const AUTH_BASE = '/api/auth';
/** Personal access tokens start with this (see core/accessTokens). */
const PAT_PREFIX = 'nbs_pat_';
const PENDING_COOKIE = 'nbs_pending_auth';
/** The scopes MCP clients ask for (advertised in the challenge and the protected-resource metadata). */
export const MCP_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export async function createAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const { origin } = options;
  const mcpUrl = `${origin}/mcp`;
  const authBase = `${origin}${AUTH_BASE}`;
  const isAllowed = (email: unknown) => typeof email === 'string' && options.allowedEmails().has(email.toLowerCase());
  const refuse = () =>
    new APIError('FORBIDDEN', {
      code: 'EMAIL_NOT_ALLOWED',
      message: 'This email is not on the allow-list of this studio.',
    });

  /** People whose email is already recorded for tokens (once per process). */
  const remembered = new Set<string>();
  const auth = betterAuth({
    baseURL: origin,
    basePath: AUTH_BASE,
    secret: options.secret,
    database: { db: options.database.db as never, type: options.database.kind },
    user: { modelName: 'auth_user' },
    session: { modelName: 'auth_session' },
    account: { modelName: 'auth_account' },
    verification: { modelName: 'auth_verification' },
    emailAndPassword: { enabled: false },
    trustedOrigins: [origin],
    telemetry: { enabled: false },
    logger: { level: 'warn' },
    databaseHooks: {
      user: {
        create: {
          before: async (user) => {
            if (!isAllowed(user.email)) throw refuse();
            return { data: user };
          },
        },
      },
      session: {
        create: {
          // Every sign-in, new user or not: the list may have changed since the account was made.
          before: async (session, ctx) => {
            const user = await ctx?.context.internalAdapter.findUserById(session.userId);
            if (!user?.emailVerified || !isAllowed(user.email)) throw refuse();
            // Known by email from the first sign-in on, so an admin can make them a token at once.
            await options.personalTokens.rememberUser(user.id, user.email.toLowerCase());
            remembered.add(user.id);
            return { data: session };
          },
        },
      },
    },
    plugins: [
      jwt({ schema: { jwks: { modelName: 'auth_jwks' } } }),
      genericOAuth({
        config: [
          {
            providerId: 'oidc',
            discoveryUrl: `${options.oidc.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
            clientId: options.oidc.clientId,
            clientSecret: options.oidc.clientSecret,
            scopes: ['openid', 'email', 'profile'],
            pkce: true,
            requireIdTokenVerification: true,
            requireEmailVerification: true,
          },
        ],
      }),
      mcp({
        resource: mcpUrl,
        loginPage: '/login',
        consentPage: '/consent',
        scopes: [...MCP_SCOPES],
        allowDynamicClientRegistration: true,
        allowUnauthenticatedClientRegistration: true,
        // Strict rotation: a rotated refresh token presented again is a replay (see refreshRotation.ts).
        refreshTokenReuseInterval: 0,
        ...(options.accessTokenSeconds ? { accessTokenExpiresIn: options.accessTokenSeconds } : {}),
        customAccessTokenClaims: async ({ user }: { user?: { email?: string } | null }) =>
          user?.email ? { email: user.email } : {},
        // Runs on the refresh_token grant too: an email taken off the list gets no new tokens.
        customTokenResponseFields: async ({ user }: { user?: { email?: string } | null }) => {
          if (user && !isAllowed(user.email)) {
            throw new APIError('BAD_REQUEST', {
              error: 'invalid_grant',
              error_description: 'This email is no longer on the allow-list of this studio.',
            });
          }
          return {};
        },
        schema: {
          oauthClient: { modelName: 'auth_oauth_client' },
          oauthRefreshToken: { modelName: 'auth_oauth_refresh_token' },
          oauthAccessToken: { modelName: 'auth_oauth_access_token' },
          oauthConsent: { modelName: 'auth_oauth_consent' },
          oauthClientAssertion: { modelName: 'auth_oauth_client_assertion' },
          oauthResource: { modelName: 'auth_oauth_resource' },
          oauthClientResource: { modelName: 'auth_oauth_client_resource' },
        },
      } as Parameters<typeof mcp>[0]),
      accessTokenDenyListSchema(),
      clientMetadataDocuments({
        allowPrivateHosts: options.allowPrivateClientMetadataHosts ?? false,
        log: options.log,
      }),
    ],
  });
  await (await getMigrations(auth.options)).runMigrations();
  const context = await auth.$context;
  const issuer = context.baseURL;
  // The signing keys live in our database and better-auth serves them: read them in-process (a server
  // behind a load balancer may not reach its own public URL), again when a token names an unknown key.
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  const loadKeys = async () => {
    const res = await auth.handler(new Request(`${authBase}/jwks`));
    // Not the token's fault (the key store is unreachable): not a JOSEError, so answered 503, not 401.
    if (!res.ok) throw new Error(`The signing keys could not be read (${res.status}).`);
    keys = createLocalJWKSet((await res.json()) as JSONWebKeySet);
    return keys;
  };
  const verifyJwt = async (token: string) => {
    try {
      return await jwtVerify(token, keys ?? (await loadKeys()), { issuer, audience: mcpUrl });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
      return jwtVerify(token, await loadKeys(), { issuer, audience: mcpUrl });
    }
  };

  /** A call into better-auth's own endpoints, as the browser's request would have made it. */
  const internal = (path: string, cookie: string | undefined, body: unknown) =>
    auth.handler(
      new Request(`${authBase}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, cookie: cookie ?? '' },
        body: JSON.stringify(body),
      }),
    );

  const remember = async (userId: string, email: string) => {
    if (remembered.has(userId)) return;
    await options.personalTokens.rememberUser(userId, email);
    remembered.add(userId);
  };
  const sessions = createDashboardSessions({
    auth: auth as never,
    internal,
    isAllowed,
    isAdmin: (email) => options.adminEmails().has(email),
    remember,
  });
  const denyList = createAccessTokenDenyList(context.adapter as never, options.accessTokenSeconds ?? 3600);
  const refreshGuard = refreshReplayGuard({ adapter: context.adapter as never, denyList, log: options.log });
  const revocation = accessTokenRevocation({
    verify: async (token) => (await verifyJwt(token)).payload,
    denyList,
    adapter: context.adapter as never,
    log: options.log,
  });
  const app = new Hono();
  // Registrations as native clients really send them (see registrationNormaliser).
  const register = createRegistrationNormaliser({
    handler: auth.handler,
    restoreRedirectUris: (clientId, redirectUris) =>
      context.adapter.update({
        model: 'oauthClient',
        where: [{ field: 'clientId', value: clientId }],
        update: { redirectUris },
      }) as Promise<void>,
    log: options.log,
  });
  app.post(`${AUTH_BASE}/oauth2/register`, (c) => register(c.req.raw));
  app.post(`${AUTH_BASE}/oauth2/token`, (c) => refreshGuard(c.req.raw, auth.handler));
  app.post(`${AUTH_BASE}/oauth2/revoke`, (c) => revocation(c.req.raw, auth.handler));
  app.on(['GET', 'POST'], `${AUTH_BASE}/*`, (c) => auth.handler(c.req.raw));
  // RFC 9728 protected-resource and RFC 8414 authorization-server metadata at the origin.
  app.get('/.well-known/*', (c) =>
    serveWellKnown(c.req.raw, auth.handler, { authBase: AUTH_BASE, scopes: MCP_SCOPES }),
  );

  // Sign-in: straight on to the OpenID provider, carrying the signed authorization request along.
  app.get('/login', async (c) => {
    const oauthQuery = new URL(c.req.url).search.slice(1);
    const res = await internal('/sign-in/social', c.req.header('cookie'), {
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
    const headers = new Headers({ location: body.url });
    // Kept so that a refused sign-in can send the client back with access_denied instead of stranding it.
    headers.append(
      'set-cookie',
      `${PENDING_COOKIE}=${Buffer.from(oauthQuery).toString('base64url')}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=600`,
    );
    for (const cookie of res.headers.getSetCookie()) headers.append('set-cookie', cookie);
    return new Response(null, { status: 302, headers });
  });

  app.get('/login-error', async (c) => {
    const error = c.req.query('error') ?? 'unknown';
    const pending = new RegExp(`(?:^|;\\s*)${PENDING_COOKIE}=([^;]+)`).exec(c.req.header('cookie') ?? '')?.[1];
    if (pending) {
      const query = new URLSearchParams(Buffer.from(pending, 'base64url').toString());
      const client = (await context.adapter.findOne({
        model: 'oauthClient',
        where: [{ field: 'clientId', value: query.get('client_id') ?? '' }],
      })) as { redirectUris?: string[] | string } | null;
      const uris = client?.redirectUris;
      const registered = Array.isArray(uris) ? uris : typeof uris === 'string' ? (JSON.parse(uris) as string[]) : [];
      const redirectUri = query.get('redirect_uri');
      if (redirectUri && matchesRegisteredRedirect(registered, redirectUri)) {
        const back = new URL(redirectUri);
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', signInRefusal(error));
        const state = query.get('state');
        if (state) back.searchParams.set('state', state);
        back.searchParams.set('iss', issuer);
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
    const res = await internal('/oauth2/consent', c.req.header('cookie'), {
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

  return {
    mcpUrl,
    issuer,
    scopes: MCP_SCOPES,
    fetch: (request) => app.fetch(request),
    ...sessions,

    async verifyAccessToken(token) {
      if (token.startsWith(PAT_PREFIX)) {
        const owner = await options.personalTokens.verify(token);
        if (!owner) throw new InvalidTokenError('This access token is unknown or was revoked. Make a new one.');
        if (!isAllowed(owner.email))
          throw new InvalidTokenError('This email is no longer on the allow-list of this studio.');
        return {
          token,
          clientId: owner.tokenId,
          scopes: [],
          // Checked again on every request; the expiry only satisfies the bearer check.
          expiresAt: Math.floor(Date.now() / 1000) + 300,
          resource: new URL(mcpUrl),
          extra: { userId: owner.ownerId, email: owner.email, isAdmin: options.adminEmails().has(owner.email) },
        };
      }
      const { payload } = await verifyJwt(token).catch((error: unknown) => {
        // jose's errors (expired, bad signature, wrong audience, no such key) are the token's fault.
        throw error instanceof errors.JOSEError ? new InvalidTokenError(error.message, { cause: error }) : error;
      });
      if (await denyList.isRevoked(payload))
        throw new InvalidTokenError('This access token was revoked. Sign in again.');
      const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : '';
      if (!isAllowed(email)) throw new InvalidTokenError('This email is no longer on the allow-list of this studio.');
      if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number')
        throw new InvalidTokenError('The token has no subject or expiry.');
      await remember(payload.sub, email);
      return {
        token,
        clientId: String(payload.azp ?? payload.client_id ?? ''),
        scopes: String(payload.scope ?? '')
          .split(' ')
          .filter(Boolean),
        expiresAt: payload.exp,
        resource: new URL(mcpUrl),
        extra: { userId: payload.sub, email, isAdmin: options.adminEmails().has(email) },
      };
    },
  };
}

function signInRefusal(error: string): string {
  if (error.toUpperCase().includes('EMAIL_NOT_ALLOWED'))
    return 'This email may not use this studio. Ask its owner to add it to the allow-list, or sign in with another account.';
  if (error.toLowerCase().includes('email_not_verified'))
    return 'This account’s email is not verified by the sign-in provider. Verify it there, then try again.';
  return `The sign-in did not complete (${error}). Try again from your assistant.`;
}
