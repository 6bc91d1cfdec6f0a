import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Runs `body` while holding a PostgreSQL advisory lock named `name`, so that instances starting together
 * do not race, e.g. to create the sign-in tables. The lock belongs to a transaction kept open for the
 * body (released when it ends, also when the connection dies), not to the session: through a
 * transaction-mode pooler (PgBouncer) a session lock could be taken on one server connection and
 * "released" on another. SQLite: runs it as is (one file, one writer).
 */
export async function withAdvisoryLock<T>(db: unknown, name: string, body: () => Promise<T>): Promise<T> {
  const kysely = db as Kysely<unknown>;
  if (!(kysely.getExecutor().adapter instanceof PostgresAdapter)) return body();
  return kysely.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
    return body();
  });
}
