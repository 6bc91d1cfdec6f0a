import type { Kysely } from 'kysely';

/**
 * What people keep in the studio (issue 16): brand palettes, styles learned from references and prompt
 * templates, one row each, the body as JSON text. `scope` is `person` (owner_id is the person) or `team`
 * (owner_id is empty: shared with everyone on the server, made by an admin). Portable DDL only, like 0001.
 */
export const migration0011StudioLibrary = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('library_items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('library_items_name_idx')
      .on('library_items')
      .columns(['kind', 'scope', 'owner_id', 'name'])
      .unique()
      .execute();
  },
};
