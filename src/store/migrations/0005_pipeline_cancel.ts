import type { Kysely } from 'kysely';

/**
 * For several instances on one database: a cancellation request that any instance can record and the
 * instance running the pipeline sees at its next step (and at once through LISTEN/NOTIFY), and which
 * instance ran the pipeline last.
 */
export const migration0005PipelineCancel = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('pipelines').addColumn('cancel_requested_at', 'text').execute();
    await db.schema.alterTable('pipelines').addColumn('run_by', 'text').execute();
  },
};
