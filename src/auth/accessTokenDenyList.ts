/**
 * Revoked access tokens. Our access tokens are JWTs that better-auth cannot revoke (its revoke endpoint
 * answers `unsupported_token_type`), so this keeps a deny-list in the database, read on every request to
 * /mcp, and so shared by every instance on the same database:
 * - one token, by its `jti`, after a client revokes it (RFC 7009);
 * - every token of a person and client issued up to a moment, when a replayed refresh token shows the
 *   grant was stolen (RFC 9700 §4.14.2: the whole family goes, access tokens included).
 * An entry lives as long as the longest access token it can refuse, then it is swept.
 * @module
 */

/** A better-auth table for the deny-list (made by its migrations with the rest of the `auth_` tables). */
export function accessTokenDenyListSchema() {
  return {
    id: 'nanobanana-access-token-deny-list',
    schema: {
      revokedAccessToken: {
        modelName: 'auth_revoked_access_token',
        fields: {
          /** `jti:<jti>` for one token, `grant:<user id>:<client id>` for all of a grant's tokens. */
          key: { type: 'string', required: true, unique: true },
          /** Tokens issued (iat, seconds) at or before this are refused. */
          issuedUpTo: { type: 'number', required: true },
          expiresAt: { type: 'date', required: true, index: true },
        },
      },
    },
  } as const;
}

/** The part of better-auth's database adapter this uses. */
interface Adapter {
  findMany(input: { model: string; where: unknown[] }): Promise<unknown[]>;
  create(input: { model: string; data: Record<string, unknown> }): Promise<unknown>;
  update(input: { model: string; where: unknown[]; update: Record<string, unknown> }): Promise<unknown>;
  deleteMany(input: { model: string; where: unknown[] }): Promise<unknown>;
}

const MODEL = 'revokedAccessToken';

export interface AccessTokenClaims {
  jti?: unknown;
  sub?: unknown;
  azp?: unknown;
  iat?: unknown;
}

export interface AccessTokenDenyList {
  /** Refuses one token from now on (until `expiresAtSeconds`, its own expiry). */
  revokeToken(jti: string, expiresAtSeconds: number): Promise<void>;
  /** Refuses every token of this person and client issued up to now. */
  revokeGrant(userId: string, clientId: string): Promise<void>;
  /** Whether a verified token's claims are on the list. One indexed query. */
  isRevoked(claims: AccessTokenClaims): Promise<boolean>;
}

export function createAccessTokenDenyList(adapter: Adapter, accessTokenSeconds: number): AccessTokenDenyList {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const put = async (key: string, issuedUpTo: number, expiresAt: Date) => {
    await adapter.deleteMany({ model: MODEL, where: [{ field: 'expiresAt', operator: 'lt', value: new Date() }] });
    const found = await adapter.findMany({ model: MODEL, where: [{ field: 'key', value: key }] });
    if (found.length > 0) {
      await adapter.update({ model: MODEL, where: [{ field: 'key', value: key }], update: { issuedUpTo, expiresAt } });
      return;
    }
    try {
      await adapter.create({ model: MODEL, data: { key, issuedUpTo, expiresAt } });
    } catch (error) {
      // Another instance wrote the same key at the same moment: theirs refuses the same tokens.
      const again = await adapter.findMany({ model: MODEL, where: [{ field: 'key', value: key }] });
      if (again.length === 0) throw error;
    }
  };
  return {
    async revokeToken(jti, expiresAtSeconds) {
      await put(`jti:${jti}`, nowSeconds(), new Date(expiresAtSeconds * 1000));
    },
    async revokeGrant(userId, clientId) {
      const now = nowSeconds();
      // A token issued before now lives at most accessTokenSeconds more (plus a minute of clock skew).
      await put(`grant:${userId}:${clientId}`, now, new Date((now + accessTokenSeconds + 60) * 1000));
      // `iat` counts whole seconds: answer only once this second is over, so that the tokens of a sign-in
      // that follows (a new grant) are issued after the entry and are not refused with the old ones.
      const rest = (now + 1) * 1000 - Date.now();
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    },
    async isRevoked(claims) {
      const keys: string[] = [];
      if (typeof claims.jti === 'string') keys.push(`jti:${claims.jti}`);
      if (typeof claims.sub === 'string' && typeof claims.azp === 'string')
        keys.push(`grant:${claims.sub}:${claims.azp}`);
      if (keys.length === 0) return false;
      const iat = typeof claims.iat === 'number' ? claims.iat : 0;
      const rows = (await adapter.findMany({
        model: MODEL,
        where: [{ field: 'key', operator: 'in', value: keys }],
      })) as Array<{ issuedUpTo: number | string }>;
      return rows.some((row) => iat <= Number(row.issuedUpTo));
    },
  };
}
