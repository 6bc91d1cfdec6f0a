import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { redactUrl } from '../core/redactUrl.js';
import { migrateToLatest } from './migrate.js';
import { withDefaultUser } from './pgUrl.js';
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
}

export interface Database {
  readonly kind: DatabaseOptions['kind'];
  readonly db: Kysely<DB>;
  close(): Promise<void>;
}

/** Opens (creating if needed) the database and, by default, brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions, openOptions: OpenDatabaseOptions = {}): Promise<Database> {
  const db =
    options.kind === 'sqlite' ? await openSqlite(options.path) : await openPostgres(options.url, options.schema);
  const database: Database = { kind: options.kind, db, close: () => db.destroy() };
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
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  }
  // Loaded on first use: the native module costs start-up time for commands that never touch the database.
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const sqlite = new BetterSqlite3(file, { timeout: 5000 });
  try {
    // WAL lets the dashboard read while a generation writes; NORMAL is durable across application
    // crashes (only an OS crash can lose the last transactions) and much faster than FULL under WAL.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
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

async function openPostgres(url: string, schema: string | undefined): Promise<Kysely<DB>> {
  // Loaded on first use, like better-sqlite3: most installations never touch PostgreSQL.
  const { default: pg } = await import('pg');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`Invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and underscores.`);
  }
  const pool = new pg.Pool({
    connectionString: withDefaultUser(url),
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
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
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
