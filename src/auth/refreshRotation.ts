/**
 * Refresh-token rotation with replay detection (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2). better-auth's
 * OAuth provider rotates on every refresh, and a rotated token presented again gets `invalid_grant` and
 * deletes every refresh token of that person and client. Two things are ours:
 * - the MCP plugin turns that off for 30 s by default (`refreshTokenReuseInterval: 30`, @better-auth/mcp
 *   1.7.5; see better-auth/better-auth#8512): within the window the old token gets the same token pair
 *   again, and no family is revoked. authServer sets the interval to 0, so any reuse is a replay;
 * - better-auth cannot revoke the JWT access tokens the family already has, so a replay also puts the
 *   grant on the access-token deny-list: the stolen and the legitimate access tokens stop at once.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../core/logger.js';
import type { AccessTokenDenyList } from './accessTokenDenyList.js';
import { requestParams } from './tokenRequests.js';

interface Adapter {
  findMany(input: { model: string; where: unknown[] }): Promise<unknown[]>;
}

interface RefreshTokenRow {
  userId: string;
  clientId: string;
  revoked?: Date | string | null;
}

/** How better-auth stores a refresh token (`storeTokens: 'hashed'`, its default): SHA-256, base64url. */
function storedForm(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The stored refresh token a client presents, if it is one. */
export async function findRefreshToken(adapter: Adapter, token: string): Promise<RefreshTokenRow | undefined> {
  if (!token) return undefined;
  const [row] = (await adapter.findMany({
    model: 'oauthRefreshToken',
    where: [{ field: 'token', value: storedForm(token) }],
  })) as RefreshTokenRow[];
  return row;
}

export function refreshReplayGuard(options: { adapter: Adapter; denyList: AccessTokenDenyList; log: Logger }) {
  return async (request: Request, next: (request: Request) => Promise<Response>): Promise<Response> => {
    const params = await requestParams(request);
    const presented = params.get('refresh_token');
    if (params.get('grant_type') !== 'refresh_token' || !presented) return next(request);
    const row = await findRefreshToken(options.adapter, presented);
    const response = await next(request);
    if (row?.revoked && response.status === 400) {
      await options.denyList.revokeGrant(row.userId, row.clientId);
      options.log.warn(
        { clientId: row.clientId, userId: row.userId },
        'a rotated refresh token was presented again: its grant is revoked, access tokens included',
      );
    }
    return response;
  };
}
