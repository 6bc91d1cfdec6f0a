import type { Kysely } from 'kysely';
import type { UserSettingsRepository } from '../core/ports.js';
import type { DB } from './schema.js';
import { ensureUsers } from './users.js';

/** Per-person settings on the `users` row behind the core `UserSettingsRepository` port. Portable SQL only. */
export function createUserSettingsRepository(db: Kysely<DB>): UserSettingsRepository {
  return {
    async getDefaultModel(userId) {
      const row = await db.selectFrom('users').select('default_model').where('id', '=', userId).executeTakeFirst();
      return row?.default_model ?? undefined;
    },

    async setDefaultModel(userId, alias) {
      await db.transaction().execute(async (trx) => {
        await ensureUsers(trx, [userId]);
        await trx.updateTable('users').set({ default_model: alias }).where('id', '=', userId).execute();
      });
    },
  };
}
