/**
 * `nanobanana-studio cost [--days 30] [--json]`: what the Gemini image calls cost (list prices, from the
 * ledger every server writes): totals, by day for the last days and by model.
 * @module
 */
import { COMMON_HELP, COMMON_OPTIONS, intOption, PROGRAM, runCommand, withStudio } from './commandRuntime.js';
import { usd, writeJson, writeLines } from './output.js';

const OPTIONS = { ...COMMON_OPTIONS, days: { type: 'string', short: 'd' }, json: { type: 'boolean' } } as const;

const HELP = `Usage: ${PROGRAM} cost [options]

Totals the estimated cost of the Gemini image calls made with this data folder or database (list
prices per image), from the cost ledger: all time, by day (UTC) for the last days, and by model. Every
billed call counts once, so an enhanced image counts as two; refused or failed calls cost nothing;
deleting an image refunds nothing. Budgets: see ${PROGRAM} budget --help.

Options:
  -d, --days N       Days shown by day, today included (default 30, at most 366).
  --json             Print one JSON document on stdout.
${COMMON_HELP}`;

const DAY_MS = 86_400_000;

export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    { name: 'cost', help: HELP, options: OPTIONS, positionals: { min: 0, max: 0 } },
    async ({ values }) => {
      const days = intOption('cost', 'days', values.days, { min: 1, max: 366 }) ?? 30;
      const today = new Date(new Date().toISOString().slice(0, 10));
      const since = new Date(today.getTime() - (days - 1) * DAY_MS).toISOString();
      const summary = await withStudio(values, { gemini: false }, ({ studio, caller }) =>
        studio.costSummary(caller, { since }),
      );
      const sum = (rows: Array<{ images: number; costUsd: number }>) => ({
        images: rows.reduce((n, r) => n + r.images, 0),
        costUsd: rows.reduce((n, r) => n + r.costUsd, 0),
      });
      const total = sum(summary.byModel);
      const recent = sum(summary.byDay);
      if (values.json) {
        writeJson({
          total: { images: total.images, cost_usd: total.costUsd },
          emulated_images: summary.emulatedImages,
          last_days: {
            days,
            since: since.slice(0, 10),
            images: recent.images,
            cost_usd: recent.costUsd,
            by_day: summary.byDay.map((d) => ({ day: d.day, images: d.images, cost_usd: d.costUsd })),
          },
          by_model: summary.byModel.map((m) => ({
            model: m.modelAlias,
            model_id: m.modelId,
            images: m.images,
            cost_usd: m.costUsd,
          })),
        });
        return 0;
      }
      const count = (n: number) => `${n} image${n === 1 ? '' : 's'}`;
      const emulated =
        summary.emulatedImages > 0 ? `; ${summary.emulatedImages} of them emulated (offline demo, free)` : '';
      const lines = [`All time: ${count(total.images)}, ${usd(total.costUsd)} (estimated${emulated})`];
      lines.push(`Last ${days} days: ${count(recent.images)}, ${usd(recent.costUsd)}`);
      for (const d of summary.byDay) lines.push(`  ${d.day}  ${count(d.images).padEnd(11)} ${usd(d.costUsd)}`);
      if (summary.byModel.length > 0) lines.push('By model (all time):');
      for (const m of summary.byModel) {
        lines.push(`  ${`${m.modelAlias} (${m.modelId})`.padEnd(36)} ${count(m.images).padEnd(11)} ${usd(m.costUsd)}`);
      }
      writeLines(lines);
      return 0;
    },
  );
}
