import type { Kysely } from 'kysely';

/**
 * Facts every instance of one database must agree on, by key: for now which local image folder the
 * database's images live in (see store/blobFolderClaim.ts). Portable DDL.
 */
export const migration0013DeploymentSettings = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('deployment_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
