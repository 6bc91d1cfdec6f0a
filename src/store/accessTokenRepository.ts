import type { Kysely } from 'kysely';
import type { AccessTokenRecord, AccessTokenRepository } from '../core/ports.js';
import type { AccessTokensTable, DB } from './schema.js';
import { ensureUsers } from './users.js';

/** Personal access tokens behind the core `AccessTokenRepository` port. Portable SQL only. */
export function createAccessTokenRepository(db: Kysely<DB>): AccessTokenRepository {
  return {
    async insert(record) {
      await db.transaction().execute(async (trx) => {
        await ensureUsers(trx, [record.ownerId]);
        await trx.insertInto('access_tokens').values(toRow(record)).execute();
      });
    },

    async findActiveByHash(secretHash) {
      const row = await db
        .selectFrom('access_tokens')
        .selectAll()
        .where('secret_hash', '=', secretHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row && fromRow(row);
    },

    async list(ownerId) {
      let query = db.selectFrom('access_tokens').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
      if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
      return (await query.execute()).map(fromRow);
    },

    async revoke(id, ownerId, now) {
      let query = db
        .updateTable('access_tokens')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null);
      if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async touch(id, now) {
      await db.updateTable('access_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
    },

    async rememberUser(userId, email) {
      await db.transaction().execute(async (trx) => {
        await ensureUsers(trx, [userId]);
        // An email belongs to one user: a re-created account takes it over.
        await trx
          .updateTable('users')
          .set({ email: null })
          .where('email', '=', email)
          .where('id', '<>', userId)
          .execute();
        await trx.updateTable('users').set({ email }).where('id', '=', userId).execute();
      });
    },

    async userIdByEmail(email) {
      const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      return row?.id;
    },
  };
}

function toRow(r: AccessTokenRecord): AccessTokensTable {
  return {
    id: r.id,
    owner_id: r.ownerId,
    email: r.email,
    name: r.name,
    secret_hash: r.secretHash,
    created_at: r.createdAt,
    last_used_at: r.lastUsedAt,
    revoked_at: r.revokedAt,
  };
}

function fromRow(row: AccessTokensTable): AccessTokenRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    email: row.email,
    name: row.name,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
