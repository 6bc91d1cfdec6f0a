/**
 * `nanobanana-studio maintenance`: retention, expired Gemini copies, orphan files and a vacuum. A dry run
 * by default (the report of what would go); `--apply` removes exactly what the report lists.
 * @module
 */
import { resolveOperationsConfig } from '../../config/operations.js';
import { InvalidInputError } from '../../core/errors.js';
import type { RetentionPolicy } from '../../store/index.js';
import { runMaintenance } from '../maintenanceRun.js';
import { COMMON_HELP, COMMON_OPTIONS, runCommand, withStudio } from './commandRuntime.js';
import { writeJson, writeLines } from './output.js';

const HELP = `Usage: nanobanana-studio maintenance [--apply] [--days N] [--gb N] [--no-vacuum] [--json]
       nanobanana-studio maintenance retention --user ID|EMAIL [--days N|none] [--gb N|none]

Removes images past the retention period (STUDIO_RETENTION_DAYS, or a person's own) or beyond a person's
share (STUDIO_RETENTION_GB, or their own; oldest first), with their files, never the cost ledger; forgets
Gemini Files API copies past their expiry; removes files no row refers to (older than an hour); vacuums
the database. Without --apply it only reports what it would do.

  --apply            Do it (removes exactly what the dry run reports).
  --days N           Retention in days for this run (default STUDIO_RETENTION_DAYS; none: keep).
  --gb N             GB kept per person for this run (default STUDIO_RETENTION_GB; none: no cap).
  --no-vacuum        Skip the vacuum.
  --json             The report as JSON.
  retention          Set or clear (none) a person's own retention, overriding the deployment's.
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  apply: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  days: { type: 'string' },
  gb: { type: 'string' },
  user: { type: 'string' },
  'no-vacuum': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    { name: 'maintenance', help: HELP, options: OPTIONS, positionals: { min: 0, max: 1 } },
    async ({ values, positionals }) => {
      if (values.apply && values['dry-run']) throw new InvalidInputError('Use either --apply or --dry-run.');
      if (positionals[0] !== undefined && positionals[0] !== 'retention') {
        throw new InvalidInputError(`Unknown "${positionals[0]}". Did you mean: maintenance retention --user …?`);
      }
      return withStudio(values, { gemini: false }, async ({ config, runtime }) => {
        if (positionals[0] === 'retention') return setRetention(runtime, values);
        const operations = resolveOperationsConfig(config.host);
        const policy: RetentionPolicy = {};
        const days = values.days === undefined ? operations.retentionDays : amount(values.days, 'days');
        const gb = values.gb === undefined ? operations.retentionGb : amount(values.gb, 'gb');
        if (days !== undefined && days !== null) policy.days = days;
        if (gb !== undefined && gb !== null) policy.gb = gb;
        const { plan, result } = await runMaintenance(runtime, {
          policy,
          apply: values.apply === true,
          vacuum: !values['no-vacuum'],
        });
        if (values.json) {
          writeJson({ dry_run: !values.apply, policy, plan, ...(result ? { result } : {}) });
          return 0;
        }
        const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
        const verb = values.apply ? 'Removed' : 'Would remove';
        writeLines([
          `${verb} ${plan.images.length} image(s), ${mb(plan.images.reduce((a, i) => a + i.bytes, 0))}${policy.days === undefined && policy.gb === undefined ? ' (no retention set: STUDIO_RETENTION_DAYS / STUDIO_RETENTION_GB)' : ''}:`,
          ...plan.images.map(
            (i) => `  ${i.id}  ${i.ownerId}  ${i.createdAt.slice(0, 10)}  ${mb(i.bytes)}  (${i.reason})`,
          ),
          `${values.apply ? 'Forgot' : 'Would forget'} ${plan.geminiCopies.length} expired Gemini copy(ies)${plan.geminiCopies.length ? `: ${plan.geminiCopies.map((c) => c.uploadId).join(', ')}` : ''}.`,
          `${verb} ${plan.orphanBlobs.length} orphan file(s)${plan.orphanBlobs.length ? `: ${plan.orphanBlobs.join(', ')}` : ''}.`,
          plan.vacuum
            ? values.apply
              ? 'Vacuumed the database.'
              : 'Would vacuum the database.'
            : 'No vacuum (--no-vacuum).',
          ...(values.apply ? [] : ['Dry run: nothing was changed. Run again with --apply to do it.']),
        ]);
        return 0;
      });
    },
  );
}

async function setRetention(
  runtime: Parameters<typeof runMaintenance>[0],
  values: { user?: string; days?: string; gb?: string; json?: boolean },
): Promise<number> {
  if (!values.user) throw new InvalidInputError('Name the person: maintenance retention --user ID|EMAIL --days N.');
  if (values.days === undefined && values.gb === undefined)
    throw new InvalidInputError('Give --days and/or --gb (a number, or none).');
  const store = await import('../../store/index.js');
  const { db } = await runtime.database();
  const id = await store.setUserRetention(db as Parameters<typeof store.setUserRetention>[0], values.user, {
    ...(values.days === undefined ? {} : { days: amount(values.days, 'days') }),
    ...(values.gb === undefined ? {} : { gb: amount(values.gb, 'gb') }),
  });
  if (!id)
    throw new InvalidInputError(`No person "${values.user}". Use their user id or the email they signed in with.`);
  if (values.json) writeJson({ user: id, days: values.days ?? null, gb: values.gb ?? null });
  else writeLines([`Retention of ${id} saved.`]);
  return 0;
}

function amount(raw: string, name: string): number | null {
  if (raw.trim().toLowerCase() === 'none') return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidInputError(`--${name} expects a positive number or none, got "${raw}".`);
  return n;
}
