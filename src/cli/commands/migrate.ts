/**
 * `nanobanana-studio migrate`: applies pending migrations to the configured database (the shared
 * PostgreSQL one, or the SQLite file). Servers on PostgreSQL refuse to start until it has run.
 * @module
 */
import { parseArgs } from 'node:util';
import { resolveConfig } from '../../config/config.js';
import { AppError } from '../../core/errors.js';
import { EXIT } from '../exitCodes.js';

const HELP = `Usage: nanobanana-studio migrate [--dry-run] [--config FILE]

Applies the pending database migrations to STUDIO_DATABASE_URL (PostgreSQL) or, without it, to the
SQLite file in the data folder. --dry-run lists them without applying.`;

export async function run(argv: string[]): Promise<number> {
  let values: { 'dry-run'?: boolean; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { 'dry-run': { type: 'boolean' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`nanobanana-studio migrate: ${(error as Error).message}\n${HELP}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    process.stderr.write(`${HELP}\n`);
    return EXIT.ok;
  }
  try {
    const config = resolveConfig({ configFile: values.config });
    const store = await import('../../store/index.js');
    const options = store.databaseOptionsFor(config);
    const database = await store.openDatabase(options, { migrate: false });
    try {
      const where = options.kind === 'postgres' ? 'PostgreSQL (STUDIO_DATABASE_URL)' : options.path;
      const pending = await store.pendingMigrations(database.db);
      if (pending.length === 0) {
        process.stdout.write(`${where}: up to date.\n`);
      } else if (values['dry-run']) {
        process.stdout.write(`${where}: pending ${pending.join(', ')} (not applied: --dry-run).\n`);
      } else {
        const applied = await store.migrateToLatest(database.db);
        process.stdout.write(`${where}: applied ${applied.join(', ')}.\n`);
      }
    } finally {
      await database.close();
    }
    return EXIT.ok;
  } catch (error) {
    process.stderr.write(`nanobanana-studio migrate: ${(error as Error).message}\n`);
    return error instanceof AppError ? EXIT.usage : EXIT.internal;
  }
}
