/**
 * Kysely's SQLite dialect calls `prepare(sql)` for every query; preparing costs more than running most of
 * our statements (issue 14 measured about 9 ms a generate call). Kysely compiles the same SQL text for the
 * same query shape, so statements are kept by their text and prepared once. A statement still being
 * iterated (`busy`, a stream) is not shared: a fresh one is prepared for that query.
 * @module
 */
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Enough for every query shape the studio has, with room; the least recently used goes first. */
const MAX_STATEMENTS = 500;

export function withStatementCache(db: Database, max = MAX_STATEMENTS): SqliteDatabase {
  const cache = new Map<string, Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string) {
      const cached = cache.get(sql);
      if (cached !== undefined && !cached.busy) {
        // Re-inserted: Map order is the recency order.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = db.prepare(sql);
      if (cached === undefined) {
        cache.set(sql, statement);
        if (cache.size > max) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  } as SqliteDatabase;
}
