import type { Kysely } from 'kysely';

/**
 * Ledger rows say whether the built-in emulator answered the call (synthetic images, billed at 0), so that
 * costs and the dashboard can tell a demo from real spending. (0008 is another branch's.)
 */
export const migration0009LedgerEmulated = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types.
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .alterTable('ledger')
      .addColumn('emulated', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
