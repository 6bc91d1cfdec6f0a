/**
 * `nanobanana-studio budget [--json]` lists the per-user budgets and rate limits with what each user spent
 * this month; `budget set [--user ID] [--daily USD] [--monthly USD] [--rpm N]` changes one user's. Whoever
 * can open the data folder or database is an admin here (the dashboard will do this for signed-in admins).
 * @module
 */
import { formatUsd, periodStart } from '../../core/budgetPeriods.js';
import type { Budget, BudgetChange } from '../../core/ports.js';
import { LOCAL_OWNER } from '../../core/studio.js';
import { COMMON_HELP, COMMON_OPTIONS, PROGRAM, runCommand, usage, withStudio } from './commandRuntime.js';
import { writeJson, writeLines } from './output.js';
import { stderrLine } from './progress.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  user: { type: 'string', short: 'u' },
  daily: { type: 'string' },
  monthly: { type: 'string' },
  rpm: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: ${PROGRAM} budget [options]
       ${PROGRAM} budget set [--user ID] [--daily USD] [--monthly USD] [--rpm N] [options]

Per-user limits, kept in the database so they hold across every server sharing it. Without limits (the
default) a user may spend without bound.
  budget       Lists the users with limits, and what each spent today and this month (UTC).
  budget set   Changes one user's limits. An option left out stays as it is; "none" removes that limit.

A daily or monthly budget is checked before each billed Gemini image call, counting calls in progress;
an enhanced image is two calls. The day resets at midnight UTC, the month on the 1st at midnight UTC.
The rate limit counts image requests (one generate or edit call, whatever its number of images) per minute.

Options:
  -u, --user ID      The user (default "${LOCAL_OWNER}", the owner of everything when sign-in is off).
  --daily USD        Budget per UTC day in US dollars, e.g. 5 or 0.50; "none" removes it.
  --monthly USD      Budget per UTC month in US dollars; "none" removes it.
  --rpm N            Image requests per minute; "none" removes the limit.
  --json             Print one JSON document on stdout.
${COMMON_HELP}

Example:
  ${PROGRAM} budget set --daily 2 --monthly 40 --rpm 10`;

export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    { name: 'budget', help: HELP, options: OPTIONS, positionals: { min: 0, max: 1 } },
    async ({ values, positionals }) => {
      const action = positionals[0];
      if (action !== undefined && action !== 'set') {
        throw usage('budget', `Unknown action "${action}": use "budget" to list or "budget set" to change`);
      }
      const changing = (values.daily ?? values.monthly ?? values.rpm) !== undefined;
      if (action === undefined && changing) throw usage('budget', 'To change limits, use "budget set"');
      if (action === 'set' && !changing) throw usage('budget', 'Nothing to change: give --daily, --monthly or --rpm');
      const change: BudgetChange = {
        dailyUsd: usdOption('daily', values.daily),
        monthlyUsd: usdOption('monthly', values.monthly),
        requestsPerMinute: rpmOption(values.rpm),
      };
      return withStudio(values, { gemini: false }, async ({ studio }) => {
        const spending = studio.spending;
        const budgets =
          action === 'set'
            ? [await spending.setBudget(values.user ?? LOCAL_OWNER, change)]
            : values.user !== undefined
              ? [await spending.budget(values.user)]
              : await spending.listBudgets();
        const now = new Date();
        const monthStart = periodStart('month', now).toISOString();
        const today = now.toISOString().slice(0, 10);
        const rows = await Promise.all(
          budgets.map(async (budget) => {
            const { byDay } = await spending.costSummary({ ownerId: budget.ownerId, since: monthStart });
            const month = byDay.reduce((sum, d) => sum + d.costUsd, 0);
            return { budget, todayUsd: byDay.find((d) => d.day === today)?.costUsd ?? 0, monthUsd: month };
          }),
        );
        if (values.json) {
          writeJson({ budgets: rows.map(budgetJson) });
        } else if (rows.length === 0) {
          stderrLine(
            `No budgets are set: every user may spend without limit. Set one: ${PROGRAM} budget set --daily 5`,
          );
        } else {
          writeLines(rows.map(budgetLine));
        }
        return 0;
      });
    },
  );
}

interface BudgetRow {
  budget: Budget;
  todayUsd: number;
  monthUsd: number;
}

function budgetJson({ budget, todayUsd, monthUsd }: BudgetRow) {
  return {
    user: budget.ownerId,
    daily_usd: budget.dailyUsd,
    monthly_usd: budget.monthlyUsd,
    requests_per_minute: budget.requestsPerMinute,
    spent_today_usd: todayUsd,
    spent_this_month_usd: monthUsd,
    updated_at: budget.updatedAt || null,
  };
}

/** `local  daily $0.20 (spent $0.1340 today)  monthly none ($0.1340 this month)  rate limit 10/min` */
function budgetLine({ budget, todayUsd, monthUsd }: BudgetRow): string {
  const limit = (usd: number | null) => (usd === null ? 'none' : formatUsd(usd));
  return [
    budget.ownerId,
    `daily ${limit(budget.dailyUsd)} (spent ${formatUsd(todayUsd)} today)`,
    `monthly ${limit(budget.monthlyUsd)} (${formatUsd(monthUsd)} this month)`,
    `rate limit ${budget.requestsPerMinute === null ? 'none' : `${budget.requestsPerMinute}/min`}`,
  ].join('  ');
}

function usdOption(name: string, raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim().toLowerCase() === 'none') return null;
  const value = Number(raw.trim().replace(/^\$/, ''));
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw usage('budget', `--${name} expects an amount in US dollars (e.g. 5 or 0.50) or "none", got "${raw}"`);
  }
  return value;
}

function rpmOption(raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim().toLowerCase() === 'none') return null;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) {
    throw usage(
      'budget',
      `--rpm expects a whole number of requests per minute from 1 to 100000, or "none", got "${raw}"`,
    );
  }
  return value;
}
