import type { Kysely } from 'kysely';

/**
 * The request a pipeline was made by (its id is the reference people are shown, and the `reqId` of its log
 * lines) and the trace it continues (a W3C traceparent), so that a pipeline run later, or on another
 * instance, is found from a complaint and joins its call's trace.
 */
export const migration0014PipelineRequestIds = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('pipelines').addColumn('request_id', 'text').execute();
    await db.schema.alterTable('pipelines').addColumn('trace_parent', 'text').execute();
    await db.schema.createIndex('pipelines_request_idx').on('pipelines').column('request_id').execute();
  },
};
