import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest } from './migrate.js';
import type { DB } from './schema.js';

/** Where the data lives. A later version adds `{ kind: 'postgres'; url: string }` with the same queries. */
export type DatabaseOptions = { kind: 'sqlite'; path: string };

export interface OpenDatabaseOptions {
  /** Apply pending migrations at open. Defaults to true for the embedded SQLite database. */
  migrate?: boolean;
}

export interface Database {
  readonly kind: DatabaseOptions['kind'];
  readonly db: Kysely<DB>;
  close(): Promise<void>;
}

/** Opens (creating if needed) the database and, by default, brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions, openOptions: OpenDatabaseOptions = {}): Promise<Database> {
  const db = await openSqlite(options.path);
  const database: Database = { kind: options.kind, db, close: () => db.destroy() };
  if (openOptions.migrate ?? true) {
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
  return new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
}
