import { type Kysely, sql } from 'kysely';

/**
 * Users and images. Only portable DDL (text, integer, double precision, check, foreign keys), so the
 * same migration runs on SQLite and PostgreSQL.
 */
export const migration0001Images = {
  // Migrations must not depend on the current schema types, which move on after them; Kysely's own
  // guidance is `Kysely<any>` here.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('default_model', 'text')
      .execute();

    // Every image has an owner; in local (single-user) mode that owner is `local`.
    await db
      .insertInto('users')
      .values({ id: 'local', email: null, created_at: new Date().toISOString(), default_model: null })
      .execute();

    await db.schema
      .createTable('images')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      // Deleting a parent keeps its edits; they become roots (each edit carries its own history).
      .addColumn('parent_id', 'text', (c) => c.references('images.id').onDelete('set null'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('generate', 'edit')`))
      .addColumn('prompt', 'text', (c) => c.notNull())
      .addColumn('negative_prompt', 'text')
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('model_alias', 'text', (c) => c.notNull())
      .addColumn('image_size', 'text', (c) => c.notNull())
      .addColumn('aspect_ratio', 'text', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull())
      .addColumn('height', 'integer', (c) => c.notNull())
      .addColumn('mime_type', 'text', (c) => c.notNull())
      .addColumn('bytes', 'integer', (c) => c.notNull())
      // One file per image: reconciliation relies on the key identifying a single row.
      .addColumn('blob_key', 'text', (c) => c.notNull().unique())
      .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
      .addColumn('image_tokens', 'integer', (c) => c.notNull())
      .addColumn('thoughts_tokens', 'integer', (c) => c.notNull())
      .addColumn('total_tokens', 'integer', (c) => c.notNull())
      .addColumn('cost_usd', 'double precision', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('history', 'text')
      .addColumn('options', 'text', (c) => c.notNull())
      .execute();

    // Matches the keyset order of a user's gallery (created_at desc, id desc).
    await db.schema
      .createIndex('images_owner_created_idx')
      .on('images')
      .columns(['owner_id', 'created_at desc', 'id desc'])
      .execute();
    // The same order across all owners (admin view, unfiltered listing).
    await db.schema.createIndex('images_created_idx').on('images').columns(['created_at desc', 'id desc']).execute();
    await db.schema.createIndex('images_parent_idx').on('images').column('parent_id').execute();
  },
};
