import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { type Database, type DatabaseOptions, openDatabase, poolSizeFor } from './database.js';
import { pendingMigrations } from './migrate.js';

/** Where a configuration keeps its data: `databaseUrl` (PostgreSQL) or the SQLite file in the data folder. */
export function databaseOptionsFor(config: { dataDir: string; databaseUrl?: string }): DatabaseOptions {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'sqlite', path: path.join(config.dataDir, 'studio.db') };
}

/**
 * Opens the configured database for serving. The embedded SQLite file migrates itself; a shared
 * PostgreSQL database must have been migrated with `nanobanana-studio migrate` first, so that several
 * instances never race to change its schema.
 */
export async function openServingDatabase(
  config: { dataDir: string; databaseUrl?: string; concurrency?: number; databasePoolSize?: number },
  log?: { warn(obj: object, msg: string): void },
): Promise<Database> {
  const options = databaseOptionsFor(config);
  const database = await openDatabase(options, {
    poolSize: config.databasePoolSize ?? poolSizeFor(config.concurrency ?? 4),
    log,
  });
  if (options.kind === 'postgres') {
    const pending = await pendingMigrations(database.db);
    if (pending.length > 0) {
      await database.close();
      throw new ConfigError(
        `The PostgreSQL database is not migrated (pending: ${pending.join(', ')}). Run \`nanobanana-studio migrate\` with the same STUDIO_DATABASE_URL, then start again.`,
      );
    }
  }
  return database;
}
