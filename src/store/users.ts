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

/**
 * Inserts rows owned by `ownerIds` (`insert` writes them through the handle it is given), with the owners'
 * `users` rows made first in the same transaction, until this repository has seen them committed: `users`
 * rows are never deleted, so from then on the insert runs alone, with no transaction (issue 14: three
 * statements fewer for every pipeline and every image after an owner's first).
 */
export function withOwnersOnce(db: Kysely<DB>) {
  const known = new Set<string>();
  return async (ownerIds: string[], insert: (db: Kysely<DB> | Transaction<DB>) => Promise<unknown>) => {
    if (ownerIds.every((id) => known.has(id))) {
      await insert(db);
      return;
    }
    await db.transaction().execute(async (trx) => {
      await ensureUsers(trx, ownerIds);
      await insert(trx);
    });
    for (const id of ownerIds) known.add(id);
  };
}
