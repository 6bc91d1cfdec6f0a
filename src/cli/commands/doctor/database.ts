/**
 * Doctor: can the database be opened, and is it migrated (SQLite in the data folder, or PostgreSQL).
 * @module
 */
import { existsSync } from 'node:fs';
import type { FullConfig } from '../../../config/config.js';
import { redactUrl } from '../../../core/redactUrl.js';
import type { Check, DoctorCheck } from './check.js';

export const databaseCheck: DoctorCheck = {
  name: 'Database',
  run: ({ config, timeoutMs, earlier }) => checkDatabase(config, earlier('data-folder')?.status === 'fail', timeoutMs),
};

async function checkDatabase(config: FullConfig, dataFolderFailed: boolean, timeoutMs: number): Promise<Check> {
  const base = { id: 'database', name: 'Database' };
  const store = await import('../../../store/index.js');
  const options = store.databaseOptionsFor(config);
  const label = options.kind === 'postgres' ? `PostgreSQL ${redactUrl(options.url)}` : options.path;
  if (options.kind === 'sqlite') {
    if (dataFolderFailed) return { ...base, status: 'skip', detail: 'skipped: the data folder is not usable' };
    if (!existsSync(options.path)) {
      return {
        ...base,
        status: 'ok',
        detail: `${label} not created yet; the server creates and migrates it at its first start`,
      };
    }
  }
  const migrateFix =
    options.kind === 'postgres'
      ? 'Run `nanobanana-studio migrate` with the same STUDIO_DATABASE_URL.'
      : 'Start the server once (it migrates SQLite at start), or run `nanobanana-studio migrate`.';
  let database: Awaited<ReturnType<typeof store.openDatabase>> | undefined;
  try {
    const opening = store.openDatabase(options, { migrate: false });
    database = await withTimeout(opening, timeoutMs, `no answer within ${timeoutMs / 1000} s`).catch(async (error) => {
      // A connection that arrives after the timeout is closed rather than leaked.
      void opening.then((db) => db.close()).catch(() => undefined);
      throw error;
    });
    const pending = await store.pendingMigrations(database.db);
    if (pending.length > 0) {
      return { ...base, status: 'fail', detail: `${label}: pending migrations ${pending.join(', ')}`, fix: migrateFix };
    }
    return { ...base, status: 'ok', detail: `${label} is up to date` };
  } catch (error) {
    return {
      ...base,
      status: 'fail',
      detail: `${label} cannot be opened: ${redactText((error as Error).message)}`,
      fix:
        options.kind === 'postgres'
          ? 'Check STUDIO_DATABASE_URL (host, port, user, password, database) and that PostgreSQL is running.'
          : 'Check that the file is a nanobanana-studio database and readable; restore it from a backup if it is damaged.',
    };
  } finally {
    await database?.close().catch(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function redactText(text: string): string {
  return text.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@');
}
