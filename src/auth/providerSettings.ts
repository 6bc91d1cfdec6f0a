/**
 * The authorization server's settings: better-auth with its MCP plugin (dynamic registration, PKCE,
 * resource indicators, strict refresh rotation), the upstream OpenID provider found through discovery,
 * our table names (prefixed `auth_`) and the allow-list checks at sign-in and at every token refresh.
 * @module
 */
import { mcp } from '@better-auth/mcp';
import { betterAuth } from 'better-auth';
import { genericOAuth, jwt } from 'better-auth/plugins';
import type { Logger } from '../core/logger.js';
import { accessTokenDenyListSchema } from './accessTokenDenyList.js';
import { clientMetadataDocuments } from './clientMetadataDocuments.js';
import { emailNotAllowed, refreshNotAllowed } from './refusals.js';

export const AUTH_BASE = '/api/auth';
/** The scopes MCP clients ask for (advertised in the challenge and the protected-resource metadata). */
export const MCP_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export interface ProviderSettings {
  /** Our Kysely instance and its dialect (better-auth issues its own SQL through it). */
  database: { db: unknown; kind: 'sqlite' | 'postgres' };
  /** The public origin, e.g. https://studio.example.com (no trailing slash). */
  origin: string;
  oidc: { issuer: string; clientId: string; clientSecret: string };
  secret: string;
  /** Access-token lifetime: removing an email takes effect at the next request and the next refresh. */
  accessTokenSeconds?: number;
  /** Fetch client metadata documents from loopback and private hosts (development and tests only). */
  allowPrivateClientMetadataHosts?: boolean;
  log: Logger;
}

/** better-auth as this studio runs it. */
export type Provider = ReturnType<typeof createProvider>;

export function createProvider(
  settings: ProviderSettings,
  people: {
    isAllowed(email: unknown): boolean;
    /** Every sign-in of an allowed person, before their session is made. */
    signedIn(userId: string, email: string): Promise<void>;
  },
) {
  return betterAuth({
    baseURL: settings.origin,
    basePath: AUTH_BASE,
    secret: settings.secret,
    database: { db: settings.database.db as never, type: settings.database.kind },
    user: { modelName: 'auth_user' },
    session: { modelName: 'auth_session' },
    account: { modelName: 'auth_account' },
    verification: { modelName: 'auth_verification' },
    emailAndPassword: { enabled: false },
    trustedOrigins: [settings.origin],
    telemetry: { enabled: false },
    logger: { level: 'warn' },
    databaseHooks: {
      user: {
        create: {
          before: async (user) => {
            if (!people.isAllowed(user.email)) throw emailNotAllowed();
            return { data: user };
          },
        },
      },
      session: {
        create: {
          // Every sign-in, new user or not: the list may have changed since the account was made.
          before: async (session, ctx) => {
            const user = await ctx?.context.internalAdapter.findUserById(session.userId);
            if (!user?.emailVerified || !people.isAllowed(user.email)) throw emailNotAllowed();
            // Known by email from the first sign-in on, so an admin can make them a token at once.
            await people.signedIn(user.id, user.email.toLowerCase());
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
            discoveryUrl: `${settings.oidc.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
            clientId: settings.oidc.clientId,
            clientSecret: settings.oidc.clientSecret,
            scopes: ['openid', 'email', 'profile'],
            pkce: true,
            requireIdTokenVerification: true,
            requireEmailVerification: true,
          },
        ],
      }),
      mcp({
        resource: `${settings.origin}/mcp`,
        loginPage: '/login',
        consentPage: '/consent',
        scopes: [...MCP_SCOPES],
        allowDynamicClientRegistration: true,
        allowUnauthenticatedClientRegistration: true,
        // Strict rotation: a rotated refresh token presented again is a replay (see refreshRotation.ts).
        refreshTokenReuseInterval: 0,
        ...(settings.accessTokenSeconds ? { accessTokenExpiresIn: settings.accessTokenSeconds } : {}),
        customAccessTokenClaims: async ({ user }: { user?: { email?: string } | null }) =>
          user?.email ? { email: user.email } : {},
        // Runs on the refresh_token grant too: an email taken off the list gets no new tokens.
        customTokenResponseFields: async ({ user }: { user?: { email?: string } | null }) => {
          if (user && !people.isAllowed(user.email)) throw refreshNotAllowed();
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
        allowPrivateHosts: settings.allowPrivateClientMetadataHosts ?? false,
        log: settings.log,
      }),
    ],
  });
}
