import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.js';

/**
 * Makes sure each owner has a `users` row (owners are foreign keys). Users signed in through OAuth may
 * not have one yet; a bare row is created and never overwrites one made by the user store.
 */
export async function ensureUsers(db: Kysely<DB> | Transaction<DB>, ownerIds: Iterable<string>): Promise<void> {
  for (const id of new Set(ownerIds)) {
    await db
      .insertInto('users')
      .values({ id, email: null, created_at: new Date().toISOString(), default_model: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}
