/**
 * Checking a bearer token on /mcp (the SDK's OAuthTokenVerifier): our own access tokens, JWTs signed with
 * keys better-auth keeps in our database, not revoked and of an email still on the allow-list; or a personal
 * access token (`nbs_pat_…`) made for someone still on it.
 * @module
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyResult, jwtVerify } from 'jose';
import { InvalidTokenError } from '../core/errors.js';
import type { AccessTokenDenyList } from './accessTokenDenyList.js';
import { NO_LONGER_ALLOWED } from './refusals.js';

/** Personal access tokens start with this (see core/accessTokens). */
const PAT_PREFIX = 'nbs_pat_';

/** What a verified token tells /mcp (the shape of the SDK's AuthInfo). */
export interface AuthInfoLike {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  resource: URL;
  extra: { userId: string; email: string; isAdmin: boolean };
}

export interface TokenVerifier {
  /** Verifies a bearer access token for /mcp; throws when it is invalid, expired or the email is not allowed. */
  verifyAccessToken(token: string): Promise<AuthInfoLike>;
  /** Signature, issuer, audience and expiry of one of our JWTs, nothing more (revocation reads its claims). */
  verifyJwt(token: string): Promise<JWTVerifyResult>;
}

export function createTokenVerifier(options: {
  issuer: string;
  /** The protected resource, `<origin>/mcp`: the tokens' audience. */
  mcpUrl: string;
  /** better-auth's JWKS answer, read in-process. */
  readKeys(): Promise<Response>;
  denyList: Pick<AccessTokenDenyList, 'isRevoked'>;
  personalTokens: {
    verify(secret: string): Promise<{ ownerId: string; email: string; tokenId: string } | undefined>;
  };
  isAllowed(email: unknown): boolean;
  isAdmin(email: string): boolean;
  /** Records a person's email for tokens (once per person and process). */
  remember(userId: string, email: string): Promise<void>;
}): TokenVerifier {
  const { issuer, mcpUrl } = options;
  // The signing keys live in our database and better-auth serves them: read them in-process (a server
  // behind a load balancer may not reach its own public URL), again when a token names an unknown key.
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  const loadKeys = async () => {
    const res = await options.readKeys();
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

  return {
    verifyJwt,
    async verifyAccessToken(token) {
      if (token.startsWith(PAT_PREFIX)) {
        const owner = await options.personalTokens.verify(token);
        if (!owner) throw new InvalidTokenError('This access token is unknown or was revoked. Make a new one.');
        if (!options.isAllowed(owner.email)) throw new InvalidTokenError(NO_LONGER_ALLOWED);
        return {
          token,
          clientId: owner.tokenId,
          scopes: [],
          // Checked again on every request; the expiry only satisfies the bearer check.
          expiresAt: Math.floor(Date.now() / 1000) + 300,
          resource: new URL(mcpUrl),
          extra: { userId: owner.ownerId, email: owner.email, isAdmin: options.isAdmin(owner.email) },
        };
      }
      const { payload } = await verifyJwt(token).catch((error: unknown) => {
        // jose's errors (expired, bad signature, wrong audience, no such key) are the token's fault.
        throw error instanceof errors.JOSEError ? new InvalidTokenError(error.message, { cause: error }) : error;
      });
      if (await options.denyList.isRevoked(payload))
        throw new InvalidTokenError('This access token was revoked. Sign in again.');
      const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : '';
      if (!options.isAllowed(email)) throw new InvalidTokenError(NO_LONGER_ALLOWED);
      if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number')
        throw new InvalidTokenError('The token has no subject or expiry.');
      await options.remember(payload.sub, email);
      return {
        token,
        clientId: String(payload.azp ?? payload.client_id ?? ''),
        scopes: String(payload.scope ?? '')
          .split(' ')
          .filter(Boolean),
        expiresAt: payload.exp,
        resource: new URL(mcpUrl),
        extra: { userId: payload.sub, email, isAdmin: options.isAdmin(email) },
      };
    },
  };
}
