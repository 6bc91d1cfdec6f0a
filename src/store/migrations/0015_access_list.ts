import { type Kysely, sql } from 'kysely';

/**
 * The people admins allowed (or made admins) in the dashboard, besides those of the environment, and the
 * audit log of every change. Portable DDL only, like 0001.
 */
export const migration0015AccessList = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('access_list')
      .addColumn('email', 'text', (c) => c.primaryKey())
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('member', 'admin')`))
      .addColumn('added_by', 'text', (c) => c.notNull())
      .addColumn('added_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('access_audit')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('add', 'change', 'remove')`))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('role', 'text')
      .execute();
    await db.schema.createIndex('access_audit_at_idx').on('access_audit').column('at').execute();
  },
};
