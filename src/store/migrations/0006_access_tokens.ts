import type { Kysely } from 'kysely';

/** Personal access tokens (only a hash of each secret). Portable DDL only, like 0001. */
export const migration0006AccessTokens = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('access_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createIndex('access_tokens_owner_idx')
      .on('access_tokens')
      .columns(['owner_id', 'created_at'])
      .execute();
  },
};
