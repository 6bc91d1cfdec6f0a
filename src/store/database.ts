import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { makeFolder } from '../core/makeFolder.js';
import { redactUrl } from '../core/redactUrl.js';
import { healthyPool } from './healthyPool.js';
import { migrateToLatest } from './migrate.js';
import { withApplicationName } from './pgUrl.js';
import type { DB } from './schema.js';
import { withStatementCache } from './statementCache.js';

/**
 * Where the data lives: the embedded SQLite file, or PostgreSQL (same queries, same migrations). `schema`
 * puts everything in one PostgreSQL schema (created if missing), e.g. a fresh one per test run.
 */
export type DatabaseOptions = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema?: string };

export interface OpenDatabaseOptions {
  /**
   * Apply pending migrations at open. Defaults to true for the embedded SQLite database and false for
   * PostgreSQL, where several instances share one database and `nanobanana-studio migrate` applies them.
   */
  migrate?: boolean;
  /**
   * PostgreSQL: connections the query pool may open (default 10). Opened on demand, closed when idle. A
   * serving instance sizes it from its concurrency (see `poolSizeFor`).
   */
  poolSize?: number;
  /** Where a connection that broke (a PostgreSQL restart, a terminated backend) is reported. */
  log?: { warn(obj: object, msg: string): void };
}

/**
 * The query pool of a serving instance, when STUDIO_DATABASE_POOL_SIZE is not set: one connection per
 * pipeline running here (each runs one statement at a time) and three for everything else (requests,
 * the queue's fetches and upkeep). With the one LISTEN connection, an instance opens at most this + 1.
 */
export function poolSizeFor(concurrency: number): number {
  return concurrency + 3;
}

export interface Database {
  readonly kind: DatabaseOptions['kind'];
  readonly db: Kysely<DB>;
  /** PostgreSQL: the query pool itself, shared with the pipeline queue and notifications. */
  readonly pool?: import('pg').Pool;
  close(): Promise<void>;
}

/** Opens (creating if needed) the database and, by default, brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions, openOptions: OpenDatabaseOptions = {}): Promise<Database> {
  const { db, pool } =
    options.kind === 'sqlite'
      ? { db: await openSqlite(options.path), pool: undefined }
      : await openPostgres(options.url, options.schema, openOptions);
  const database: Database = { kind: options.kind, db, pool, close: () => db.destroy() };
  if (openOptions.migrate ?? options.kind === 'sqlite') {
    try {
      await migrateToLatest(db);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

async function openSqlite(file: string): Promise<Kysely<DB>> {
  if (file !== ':memory:') {
    await makeFolder(path.dirname(path.resolve(file)));
  }
  // Loaded on first use: the native module costs start-up time for commands that never touch the database.
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const sqlite = new BetterSqlite3(file, { timeout: 5000 });
  try {
    // WAL lets the dashboard read while a generation writes; NORMAL is durable across application
    // crashes (only an OS crash can lose the last transactions) and much faster than FULL under WAL.
    // The busy timeout first: switching a new file to WAL takes a lock another process may hold.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // SQLite's built-in lower() folds ASCII only; PostgreSQL's folds all of Unicode. Replacing it keeps
    // the prompt search (`lower(prompt) like lower(?)`) case-insensitive for accented text on both.
    sqlite.function('lower', { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? value.toLowerCase() : value,
    );
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

async function openPostgres(
  url: string,
  schema: string | undefined,
  openOptions: OpenDatabaseOptions,
): Promise<{ db: Kysely<DB>; pool: import('pg').Pool }> {
  // Loaded on first use, like better-sqlite3: most installations never touch PostgreSQL.
  const { default: pg } = await import('pg');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`Invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and underscores.`);
  }
  const pool = new pg.Pool({
    connectionString: withApplicationName(url, 'query'),
    max: openOptions.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A connection that breaks (restart, failover, terminated backend) must cost a query, never the
  // process: an 'error' nobody listens to ends it. The pool drops a broken idle connection by itself and
  // opens a new one on the next query; one broken while checked out fails its query and is dropped on
  // release. So every connection has a listener for its whole life, not only while idle.
  const report = (err: Error) =>
    (openOptions.log ?? { warn: (o: object, m: string) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`) }).warn(
      { err: err.message },
      'PostgreSQL connection lost; the pool opens a new one',
    );
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`create schema if not exists ${schema}`);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw new Error(`Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool: healthyPool(pool) }) }), pool };
}
