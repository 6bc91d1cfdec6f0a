import type { Kysely } from 'kysely';

/**
 * Uploaded files (reference images sent with `upload_file`). Portable DDL only, like 0001, so the same
 * migration runs on SQLite and PostgreSQL.
 */
export const migration0002Uploads = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('uploads')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('mime_type', 'text', (c) => c.notNull())
      .addColumn('bytes', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('blob_key', 'text', (c) => c.notNull().unique())
      // The copy on the Gemini Files API (null when the file is only kept here and sent inline).
      .addColumn('gemini_name', 'text')
      .addColumn('gemini_uri', 'text')
      .addColumn('gemini_expires_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    // A user's uploads, newest first (list_uploads).
    await db.schema
      .createIndex('uploads_owner_created_idx')
      .on('uploads')
      .columns(['owner_id', 'created_at desc', 'id desc'])
      .execute();
    // The same bytes uploaded twice by one owner are stored once.
    await db.schema.createIndex('uploads_owner_sha256_idx').on('uploads').columns(['owner_id', 'sha256']).execute();
    await db.schema.createIndex('uploads_gemini_name_idx').on('uploads').column('gemini_name').execute();
  },
};
