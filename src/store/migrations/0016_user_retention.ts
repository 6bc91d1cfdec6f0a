import type { Kysely } from 'kysely';

/** A person's own retention (days, GB), overriding the deployment's; null: the deployment's applies. */
export const migration0016UserRetention = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('users').addColumn('retention_days', 'real').execute();
    await db.schema.alterTable('users').addColumn('retention_gb', 'real').execute();
  },
};
