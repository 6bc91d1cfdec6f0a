/**
 * Personal access token port: tokens people make for clients that only take a header.
 * @module
 */
/** A token a person made for a client that only takes a header (only its hash is kept). */
export interface AccessTokenRecord {
  /** `pat_` followed by 26 base32 characters; shown in lists, used to revoke. */
  id: string;
  ownerId: string;
  /** The owner's email when the token was made (the allow-list is checked against the owner's current one). */
  email: string;
  name: string;
  /** Hex SHA-256 of the secret. */
  secretHash: string;
  /** ISO 8601. */
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AccessTokenRepository {
  insert(record: AccessTokenRecord): Promise<void>;
  /** A token that is not revoked, by the hash of its secret. */
  findActiveByHash(secretHash: string): Promise<AccessTokenRecord | undefined>;
  list(ownerId: string | undefined): Promise<AccessTokenRecord[]>;
  /** False when there was no such token of this owner (any owner when `ownerId` is undefined). */
  revoke(id: string, ownerId: string | undefined, now: string): Promise<boolean>;
  touch(id: string, now: string): Promise<void>;
  /** Records who a signed-in user id is (their verified email), for tokens made by email. */
  rememberUser(userId: string, email: string): Promise<void>;
  userIdByEmail(email: string): Promise<string | undefined>;
}
