import { type Kysely, sql } from 'kysely';

/**
 * Pipelines (with their stages as JSON text) and the concepts the architect stage proposes. Portable DDL
 * only, like 0001.
 */
export const migration0003Pipelines = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('pipelines')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('image', 'concepts')`))
      .addColumn('batch_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('queued', 'running', 'completed', 'failed', 'cancelled')`),
      )
      .addColumn('stage', 'text')
      .addColumn('progress_percent', 'integer', (c) => c.notNull())
      .addColumn('stages', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      // Not a foreign key: the id is reserved before the image exists (so a resumed run can tell).
      .addColumn('result_image_id', 'text')
      .addColumn('error', 'text')
      .addColumn('error_code', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .execute();
    await db.schema.createIndex('pipelines_status_idx').on('pipelines').column('status').execute();
    await db.schema
      .createIndex('pipelines_owner_created_idx')
      .on('pipelines')
      .columns(['owner_id', 'created_at desc'])
      .execute();
    await db.schema.createIndex('pipelines_batch_idx').on('pipelines').column('batch_id').execute();

    await db.schema
      .createTable('concepts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id').onDelete('cascade'))
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('refined_prompt', 'text', (c) => c.notNull())
      .addColumn('keywords', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('concepts_conversation_idx')
      .on('concepts')
      .columns(['conversation_id', 'created_at'])
      .execute();
  },
};
