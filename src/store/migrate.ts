import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import { migrations } from './migrations/index.js';
import type { DB } from './schema.js';

/** Applies every pending migration; returns the names applied (empty when already up to date). */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const { error, results = [] } = await (await createMigrator(db)).migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed; the database was left at the previous version.`, {
      cause: error,
    });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations not yet applied, in the order they would run. */
export async function pendingMigrations(db: Kysely<DB>): Promise<string[]> {
  const all = await (await createMigrator(db)).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

async function createMigrator(db: Kysely<DB>): Promise<Migrator> {
  const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };
  // Kysely looks for its migration table across every schema; on PostgreSQL pin it to the connection's own
  // (search_path) schema, or another schema's table would be taken for ours.
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  return new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
}
