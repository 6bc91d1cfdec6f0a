import { type Kysely, sql } from 'kysely';

/**
 * The ledger records text-model calls too (prompt engineering, concepts): kind `text`, and no image size.
 * A CHECK constraint cannot be changed in place on SQLite, so the table is rebuilt (portable DDL, rows
 * copied as they are).
 */
export const migration0007LedgerTextCalls = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('ledger_next')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('generate', 'edit', 'enhance', 'text')`))
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('model_alias', 'text', (c) => c.notNull())
      .addColumn('image_size', 'text')
      .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
      .addColumn('image_tokens', 'integer', (c) => c.notNull())
      .addColumn('thoughts_tokens', 'integer', (c) => c.notNull())
      .addColumn('total_tokens', 'integer', (c) => c.notNull())
      .addColumn('cost_usd', 'double precision', (c) => c.notNull())
      .addColumn('pipeline_id', 'text')
      .addColumn('image_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await sql`insert into ledger_next select id, owner_id, kind, model_id, model_alias, image_size, prompt_tokens, image_tokens, thoughts_tokens, total_tokens, cost_usd, pipeline_id, image_id, created_at from ledger`.execute(
      db,
    );
    await db.schema.dropTable('ledger').execute();
    await db.schema.alterTable('ledger_next').renameTo('ledger').execute();
    // Index names are per schema on PostgreSQL: the old ones went with the old table.
    await db.schema.createIndex('ledger_owner_created_idx').on('ledger').columns(['owner_id', 'created_at']).execute();
    await db.schema.createIndex('ledger_created_idx').on('ledger').column('created_at').execute();
  },
};
