import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import { migrations } from './migrations/index.js';
import type { DB } from './schema.js';

/**
 * Applies every pending migration; returns the names applied (empty when already up to date).
 *
 * On PostgreSQL, Kysely's migrator takes an advisory lock. On SQLite it takes none: two processes opening a
 * fresh (or older) studio at once, such as a client starting the server twice or the CLI beside the server,
 * both read the same pending list and the second fails on "table already exists" or SQLITE_BUSY. Each
 * migration runs in its own transaction, so a failed one left nothing behind: when another process has
 * moved on meanwhile, or the file was busy, read the pending list again and go on.
 */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const applied: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const migrator = await createMigrator(db);
    const { error, results = [] } = await migrator.migrateToLatest();
    applied.push(...results.filter((r) => r.status === 'Success').map((r) => r.migrationName));
    if (error === undefined) return applied;
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    // A few tries for any SQLite failure (the other process's transaction may not have committed yet when
    // this one looks), then only for failures shown to come from another process.
    const raced =
      !isPostgres(db) &&
      attempt < RACE_ATTEMPTS &&
      (attempt < BLIND_ATTEMPTS || (await racedWithAnother(db, failed, error)));
    if (!raced) {
      throw new Error(`Database migration ${failed} failed; the database was left at the previous version.`, {
        cause: error,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80 * attempt));
  }
}

/** How often a SQLite migration that lost a race with another process is tried again. */
const RACE_ATTEMPTS = 30;
/** Tries (about 2 s in all) before a failure must be shown to come from another process to be tried again. */
const BLIND_ATTEMPTS = 8;

/** True when the failure came from another process migrating the same file at the same time. */
async function racedWithAnother(db: Kysely<DB>, failed: string, error: unknown): Promise<boolean> {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  const pending = await pendingMigrations(db).catch(() => undefined);
  return pending !== undefined && !pending.includes(failed);
}

function isPostgres(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
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
  const schema = isPostgres(db)
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  return new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
}
