/**
 * RFC 7009 revocation of access tokens. better-auth authenticates the client and checks the token, then
 * answers `unsupported_token_type` for a JWT (it keeps no record of them); on that answer, the token goes
 * on our deny-list instead, if it was issued to the client asking, and the client gets the 200 the RFC
 * promises. Refresh tokens stay better-auth's, and when one is revoked the access tokens of its grant go
 * on the deny-list too (RFC 7009 §2.1: "SHOULD also invalidate all access tokens based on the same
 * authorization grant").
 * @module
 */
import type { Logger } from '../core/logger.js';
import type { AccessTokenDenyList } from './accessTokenDenyList.js';
import { findRefreshToken } from './refreshRotation.js';
import { oauthError, requestClientId, requestParams } from './tokenRequests.js';

export function accessTokenRevocation(options: {
  /** Verifies one of our access tokens (signature, issuer, audience); throws when it is not one. */
  verify(token: string): Promise<{ jti?: unknown; azp?: unknown; exp?: unknown }>;
  denyList: AccessTokenDenyList;
  adapter: Parameters<typeof findRefreshToken>[0];
  log: Logger;
}) {
  return async (request: Request, next: (request: Request) => Promise<Response>): Promise<Response> => {
    const params = await requestParams(request);
    const clientId = requestClientId(request, params);
    const refresh =
      params.get('token_type_hint') === 'access_token'
        ? undefined
        : await findRefreshToken(options.adapter, params.get('token') ?? '');
    const response = await next(request);
    if (refresh && response.status === 200 && refresh.clientId === clientId) {
      await options.denyList.revokeGrant(refresh.userId, refresh.clientId);
      return response;
    }
    if (response.status !== 400) return response;
    const body = (await response
      .clone()
      .json()
      .catch(() => ({}))) as { error?: string };
    if (body.error !== 'unsupported_token_type') return response;
    const token = (params.get('token') ?? '').replace(/^Bearer\s+/i, '');
    let claims: { jti?: unknown; azp?: unknown; exp?: unknown };
    try {
      claims = await options.verify(token);
    } catch {
      return response;
    }
    if (typeof claims.jti !== 'string' || typeof claims.exp !== 'number') return response;
    if (claims.azp !== clientId)
      return oauthError(400, 'invalid_request', 'This access token was not issued to this client.');
    await options.denyList.revokeToken(claims.jti, claims.exp);
    options.log.info({ clientId: claims.azp }, 'access token revoked');
    return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
  };
}
