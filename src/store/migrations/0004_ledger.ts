import { type Kysely, sql } from 'kysely';

/**
 * Spending: the cost ledger (one row per billed Gemini image call, never deleted), reservations of calls
 * in flight, per-user budgets and the request log of the per-user rate limit. Portable DDL only, like
 * 0001. Images made before this migration are copied into the ledger so `cost` keeps its history.
 */
export const migration0004Ledger = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('ledger')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('generate', 'edit', 'enhance')`))
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('model_alias', 'text', (c) => c.notNull())
      .addColumn('image_size', 'text', (c) => c.notNull())
      .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
      .addColumn('image_tokens', 'integer', (c) => c.notNull())
      .addColumn('thoughts_tokens', 'integer', (c) => c.notNull())
      .addColumn('total_tokens', 'integer', (c) => c.notNull())
      .addColumn('cost_usd', 'double precision', (c) => c.notNull())
      // Not foreign keys: the ledger outlives pipelines and images (deleting an image refunds nothing).
      .addColumn('pipeline_id', 'text')
      .addColumn('image_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ledger_owner_created_idx').on('ledger').columns(['owner_id', 'created_at']).execute();
    await db.schema.createIndex('ledger_created_idx').on('ledger').column('created_at').execute();

    await db.schema
      .createTable('spend_reservations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('estimate_usd', 'double precision', (c) => c.notNull())
      // Which call (pipeline and stage) it is for: a rerun after a crash replaces the dead run's reservation.
      .addColumn('call_key', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('spend_reservations_owner_created_idx')
      .on('spend_reservations')
      .columns(['owner_id', 'created_at'])
      .execute();

    await db.schema
      .createTable('budgets')
      .addColumn('owner_id', 'text', (c) => c.primaryKey().references('users.id'))
      .addColumn('daily_usd', 'double precision')
      .addColumn('monthly_usd', 'double precision')
      .addColumn('requests_per_minute', 'integer')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('request_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('request_log_owner_created_idx')
      .on('request_log')
      .columns(['owner_id', 'created_at'])
      .execute();
    await db.schema.createIndex('request_log_created_idx').on('request_log').column('created_at').execute();

    // The history so far: one row per stored image at its recorded cost (`||` concatenates in both SQLs).
    await sql`insert into ledger (id, owner_id, kind, model_id, model_alias, image_size, prompt_tokens,
        image_tokens, thoughts_tokens, total_tokens, cost_usd, pipeline_id, image_id, created_at)
      select 'led_' || id, owner_id, kind, model_id, model_alias, image_size, prompt_tokens, image_tokens,
        thoughts_tokens, total_tokens, cost_usd, null, id, created_at from images`.execute(db);
  },
};
