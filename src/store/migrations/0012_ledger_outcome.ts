import type { Kysely } from 'kysely';

/**
 * A ledger row may be a call whose answer never arrived: `outcome` is null for a call that returned, else
 * `aborted` (cancelled, timed out), `handed-back` (its instance stopped and another ran the pipeline
 * again) or `interrupted` (its instance died mid-call). Google may have billed those, so they count
 * like any other call, at the list price. Portable DDL: adding a nullable column works in place on both.
 */
export const migration0012LedgerOutcome = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('ledger').addColumn('outcome', 'text').execute();
  },
};
