/**
 * Sign-in for MCP clients: this server is the OAuth 2.1 authorization server they talk to (metadata,
 * dynamic registration, PKCE S256, resource indicators, refresh with rotation, revocation), built on
 * better-auth and its MCP plugin; people sign in upstream with any OpenID Connect provider (Google by
 * default) found through discovery. The email allow-list is checked at sign-in, at every token refresh
 * and on every MCP request. better-auth keeps its own tables (prefixed `auth_`) in our database, through
 * our Kysely instance. See docs/design/oauth-better-auth.md for what was verified and why.
 *
 * Laid out by role, as the MCP SDK's `server/auth` is: the provider's settings (providerSettings.ts), the
 * routes (signInRoutes.ts), the bearer-token check (tokenVerification.ts) and how a refusal is worded
 * (refusals.ts); this file puts them together.
 * @module
 */
import { getMigrations } from 'better-auth/db/migration';
import { createAccessTokenDenyList } from './accessTokenDenyList.js';
import { accessTokenRevocation } from './accessTokenRevocation.js';
import { createDashboardSessions, type DashboardSessions } from './dashboardSessions.js';
import { AUTH_BASE, createProvider, MCP_SCOPES, type ProviderSettings } from './providerSettings.js';
import { refreshReplayGuard } from './refreshRotation.js';
import { signInRefusal } from './refusals.js';
import { createRegistrationNormaliser } from './registrationNormaliser.js';
import { signInRoutes } from './signInRoutes.js';
import { type AuthInfoLike, createTokenVerifier } from './tokenVerification.js';

export interface AuthServerOptions extends ProviderSettings {
  /** Lower-cased emails allowed to sign in (read on every check, so a change applies at once). */
  allowedEmails: () => ReadonlySet<string>;
  adminEmails: () => ReadonlySet<string>;
  /** Personal access tokens (`nbs_pat_…`), for clients that only take a header. */
  personalTokens: {
    verify(secret: string): Promise<{ ownerId: string; email: string; tokenId: string } | undefined>;
    /** Called once per signed-in person and process, so tokens can be made for them by email. */
    rememberUser(userId: string, email: string): Promise<void>;
  };
}

export interface AuthServer extends DashboardSessions {
  mcpUrl: string;
  scopes: readonly string[];
  issuer: string;
  /** The OAuth endpoints, metadata, and the sign-in, consent and error pages. */
  fetch(request: Request): Response | Promise<Response>;
  /** Verifies a bearer access token for /mcp; throws when it is invalid, expired or the email is not allowed. */
  verifyAccessToken(token: string): Promise<AuthInfoLike>;
  /** Why a sign-in was refused (`?error=` on better-auth's error callback), and what to do. */
  refusal(error: string): string;
}

export async function createAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const { origin, log } = options;
  const mcpUrl = `${origin}/mcp`;
  const authBase = `${origin}${AUTH_BASE}`;
  const isAllowed = (email: unknown) => typeof email === 'string' && options.allowedEmails().has(email.toLowerCase());
  const isAdmin = (email: string) => options.adminEmails().has(email);

  /** People whose email is already recorded for tokens (once per process). */
  const remembered = new Set<string>();
  const record = async (userId: string, email: string) => {
    await options.personalTokens.rememberUser(userId, email);
    remembered.add(userId);
  };
  const remember = async (userId: string, email: string) => {
    if (!remembered.has(userId)) await record(userId, email);
  };

  const auth = createProvider(options, { isAllowed, signedIn: record });
  await (await getMigrations(auth.options)).runMigrations();
  const context = await auth.$context;
  const adapter = context.adapter as never;
  const issuer = context.baseURL;

  /** A call into better-auth's own endpoints, as the browser's request would have made it. */
  const internal = (path: string, cookie: string | undefined, body: unknown) =>
    auth.handler(
      new Request(`${authBase}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, cookie: cookie ?? '' },
        body: JSON.stringify(body),
      }),
    );
  const sessions = createDashboardSessions({ auth: auth as never, internal, isAllowed, isAdmin, remember });
  const denyList = createAccessTokenDenyList(adapter, options.accessTokenSeconds ?? 3600);
  const verifier = createTokenVerifier({
    issuer,
    mcpUrl,
    readKeys: () => auth.handler(new Request(`${authBase}/jwks`)),
    denyList,
    personalTokens: options.personalTokens,
    isAllowed,
    isAdmin,
    remember,
  });
  const refreshGuard = refreshReplayGuard({ adapter, denyList, log });
  const revocation = accessTokenRevocation({
    verify: async (token) => (await verifier.verifyJwt(token)).payload,
    denyList,
    adapter,
    log,
  });
  // Registrations as native clients really send them (see registrationNormaliser).
  const register = createRegistrationNormaliser({
    handler: auth.handler,
    restoreRedirectUris: (clientId, redirectUris) =>
      context.adapter.update({
        model: 'oauthClient',
        where: [{ field: 'clientId', value: clientId }],
        update: { redirectUris },
      }) as Promise<void>,
    log,
  });
  const app = signInRoutes({
    handler: auth.handler,
    register,
    token: (request) => refreshGuard(request, auth.handler),
    revoke: (request) => revocation(request, auth.handler),
    internal,
    registeredRedirects: async (clientId) => {
      const client = (await context.adapter.findOne({
        model: 'oauthClient',
        where: [{ field: 'clientId', value: clientId }],
      })) as { redirectUris?: string[] | string } | null;
      const uris = client?.redirectUris;
      return Array.isArray(uris) ? uris : typeof uris === 'string' ? (JSON.parse(uris) as string[]) : [];
    },
    issuer,
    log,
  });

  return {
    mcpUrl,
    issuer,
    scopes: MCP_SCOPES,
    fetch: (request) => app.fetch(request),
    ...sessions,
    verifyAccessToken: verifier.verifyAccessToken,
    refusal: signInRefusal,
  };
}
