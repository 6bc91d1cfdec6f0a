/**
 * Personal access tokens: for clients that only take a header (`Authorization: Bearer nbs_pat_…`). A token
 * acts as the person who made it, within the same allow-list as signing in; only a hash of it is stored,
 * and it works until revoked.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { InvalidInputError, NotFoundError } from './errors.js';
import type { AccessTokenRecord, AccessTokenRepository } from './ports.js';

export const ACCESS_TOKEN_PREFIX = 'nbs_pat_';
/** How often a token's "last used" time is written (not on every request). */
const TOUCH_EVERY_MS = 60_000;

export class AccessTokens {
  private readonly _touched = new Map<string, number>();

  constructor(
    private readonly _repo: AccessTokenRepository,
    private readonly _newId: () => string,
    private readonly _now: () => Date = () => new Date(),
  ) {}

  static looksLikeToken(bearer: string): boolean {
    return bearer.startsWith(ACCESS_TOKEN_PREFIX);
  }

  /** Makes a token for the person with this email (they must have signed in once); the secret is shown once. */
  async create(email: string, name: string): Promise<{ record: AccessTokenRecord; secret: string }> {
    const normalized = email.trim().toLowerCase();
    const ownerId = await this._repo.userIdByEmail(normalized);
    if (!ownerId)
      throw new NotFoundError(
        `Nobody with the email ${normalized} has signed in to this studio yet. They sign in once (from their assistant or the dashboard); then a token can be made for them.`,
      );
    const label = name.trim();
    if (!label || label.length > 80)
      throw new InvalidInputError('Give the token a name of 1 to 80 characters, e.g. "laptop".');
    const secret = `${ACCESS_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const record: AccessTokenRecord = {
      id: this._newId(),
      ownerId,
      email: normalized,
      name: label,
      secretHash: hashOf(secret),
      createdAt: this._now().toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this._repo.insert(record);
    return { record, secret };
  }

  /** The owner of a valid (not revoked) token, or undefined. */
  async verify(secret: string): Promise<{ ownerId: string; email: string; tokenId: string } | undefined> {
    if (!AccessTokens.looksLikeToken(secret)) return undefined;
    const record = await this._repo.findActiveByHash(hashOf(secret));
    if (!record) return undefined;
    const now = this._now();
    const last = this._touched.get(record.id) ?? 0;
    if (now.getTime() - last > TOUCH_EVERY_MS) {
      this._touched.set(record.id, now.getTime());
      await this._repo.touch(record.id, now.toISOString());
    }
    return { ownerId: record.ownerId, email: record.email, tokenId: record.id };
  }

  list(ownerId?: string): Promise<AccessTokenRecord[]> {
    return this._repo.list(ownerId);
  }

  async revoke(id: string, ownerId?: string): Promise<void> {
    if (!(await this._repo.revoke(id.trim(), ownerId, this._now().toISOString())))
      throw new NotFoundError(`No access token "${id}" to revoke. List them with \`nanobanana-studio token list\`.`);
  }

  rememberUser(userId: string, email: string): Promise<void> {
    return this._repo.rememberUser(userId, email.toLowerCase());
  }
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
