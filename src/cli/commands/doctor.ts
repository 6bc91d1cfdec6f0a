/**
 * `nanobanana-studio doctor`: checks what a working set-up needs (Node, the key and what it can reach, the
 * data folder, the database, the HTTP port, auth) and says how to fix each failure. Exit 0 when nothing
 * failed (warnings allowed), 1 otherwise; `--json` for scripts. Each check is a module under ./doctor/;
 * this one parses the flags, settles the settings, runs the checks in order and renders the report.
 * @module
 */
import { parseArgs } from 'node:util';
import { type Config, configFromFlags, type FullConfig, resolveConfig } from '../../config/config.js';
import { AppError } from '../../core/errors.js';
import { EXIT } from '../exitCodes.js';
import { packageVersion } from '../version.js';
import { apiKeyCheck } from './doctor/apiKey.js';
import { authCheck } from './doctor/auth.js';
import type { Check, CheckStatus, DoctorCheck } from './doctor/check.js';
import { databaseCheck } from './doctor/database.js';
import { dataFolderCheck } from './doctor/dataFolder.js';
import { keyAndModelsCheck } from './doctor/keyAndModels.js';
import { checkNode } from './doctor/node.js';
import { portCheck } from './doctor/port.js';

const HELP = `Usage: nanobanana-studio doctor [options]

Checks the set-up and says how to fix what fails: Node.js, the Gemini API key (present, and valid by one
free call listing the models), which Nano Banana models the key can use, the data folder, the database,
the HTTP port and auth. Exit 0 when nothing failed, 1 otherwise.

Options:
  --emulator           Check against the built-in Gemini emulator (no key needed).
  --data-dir DIR       Data folder to check. Env STUDIO_DATA_DIR.
  --host HOST          HTTP bind address to check (default 127.0.0.1). Env STUDIO_HOST.
  --port N             HTTP port to check (default 8766). Env STUDIO_PORT.
  --config FILE        JSON config file. Env STUDIO_CONFIG.
  --timeout SECONDS    How long the key check waits for Gemini (default 10).
  --json               One JSON document on stdout.
  -h, --help           Show this help.`;

const OPTIONS = {
  emulator: { type: 'boolean' },
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  config: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type { Check, CheckStatus } from './doctor/check.js';

/** The checks after Node.js and the settings, in the report's order (a later one may read an earlier result). */
const CHECKS: readonly DoctorCheck[] = [
  apiKeyCheck,
  keyAndModelsCheck,
  dataFolderCheck,
  databaseCheck,
  portCheck,
  authCheck,
];

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

export async function run(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true }));
  } catch (error) {
    process.stderr.write(
      `nanobanana-studio doctor: ${(error as Error).message}. See nanobanana-studio doctor --help.\n`,
    );
    return EXIT.usage;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const timeoutSeconds = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    process.stderr.write(`nanobanana-studio doctor: --timeout expects a number of seconds, got "${values.timeout}".\n`);
    return EXIT.usage;
  }
  // The settings flags are read as `nanobanana-studio` reads them (config/settings.ts).
  let flags: Config;
  try {
    flags = configFromFlags(values);
  } catch (error) {
    process.stderr.write(`nanobanana-studio doctor: ${(error as Error).message}\n`);
    return EXIT.usage;
  }

  const checks = await runChecks({ flags, configFile: values.config, timeoutMs: timeoutSeconds * 1000 });
  const ok = !checks.some((c) => c.status === 'fail');
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok, version: packageVersion(), checks }, null, 2)}\n`);
  } else {
    process.stdout.write(render(checks, ok));
  }
  return ok ? EXIT.ok : EXIT.internal;
}

function render(checks: Check[], ok: boolean): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = [`nanobanana-studio ${packageVersion()} doctor`, ''];
  for (const check of checks) {
    lines.push(`${MARK[check.status]} ${check.name.padEnd(width)}  ${check.detail}`);
    if (check.fix !== undefined && check.status !== 'ok') lines.push(`  ${' '.repeat(width)}  fix: ${check.fix}`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  lines.push('');
  lines.push(
    ok
      ? `All checks passed${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.`
      : `${failed} check${failed === 1 ? '' : 's'} failed.`,
  );
  return `${lines.join('\n')}\n`;
}

interface RunOptions {
  flags: Config;
  configFile: string | undefined;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}
export async function runChecks(options: RunOptions): Promise<Check[]> {
  const env = options.env ?? process.env;
  const checks: Check[] = [checkNode(process.versions.node)];
  let config: FullConfig;
  try {
    config = resolveConfig({ flags: options.flags, env, configFile: options.configFile });
  } catch (error) {
    checks.push({
      id: 'settings',
      name: 'Settings',
      status: 'fail',
      detail: error instanceof AppError ? error.message : String(error),
      fix: 'Correct the setting named above (flag, environment variable or config file); the other checks need valid settings.',
    });
    return checks;
  }
  const configFile = options.configFile ?? env.STUDIO_CONFIG;
  checks.push({
    id: 'settings',
    name: 'Settings',
    status: 'ok',
    detail: `valid${configFile ? ` (config file ${configFile})` : ''}${config.emulator ? '; emulator mode (offline, synthetic images)' : ''}`,
  });

  const context = {
    config,
    env,
    timeoutMs: options.timeoutMs,
    earlier: (id: string) => checks.find((c) => c.id === id),
  };
  for (const check of CHECKS) checks.push(...[await check.run(context)].flat());
  return checks;
}
