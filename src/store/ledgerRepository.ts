import { type Kysely, PostgresAdapter, sql, type Transaction } from 'kysely';
import { periodEnd, periodStart } from '../core/budgetPeriods.js';
import type {
  Budget,
  ImageCostQuery,
  ImageCostSummary,
  LedgerEntry,
  ReserveResult,
  SpendingRepository,
} from '../core/ports.js';
import { newId } from './ids.js';
import type { BudgetsTable, DB } from './schema.js';
import { ensureUsers } from './users.js';

/** Sums of doubles: a call that lands exactly on the limit is allowed. */
const EPSILON = 1e-9;
const WINDOW_MS = 60_000;

/**
 * The ledger, reservations, budgets and request log behind the core `SpendingRepository` port. Portable
 * SQL; `reserve`, `settle` and `admitRequest` serialize per owner (see {@link lockOwner}), so several
 * instances sharing one PostgreSQL database never both take the last of a budget.
 */
export function createSpendingRepository(db: Kysely<DB>): SpendingRepository {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const locked = <T>(ownerId: string, body: (trx: Transaction<DB>) => Promise<T>) =>
    db.transaction().execute(async (trx) => {
      await lockOwner(trx, ownerId, postgres);
      return body(trx);
    });

  return {
    async reserve({ ownerId, estimateUsd, now, ttlMs, callKey }) {
      // Most users have no budget: no reservation, no lock, no transaction (a budget set meanwhile counts
      // the calls that start after it).
      const limits = await db
        .selectFrom('budgets')
        .select(['daily_usd', 'monthly_usd'])
        .where('owner_id', '=', ownerId)
        .executeTakeFirst();
      if (!limits || (limits.daily_usd === null && limits.monthly_usd === null)) {
        return { ok: true, reservationId: newId('led_'), held: false };
      }
      return locked(ownerId, async (trx): Promise<ReserveResult> => {
        await trx
          .deleteFrom('spend_reservations')
          .where('owner_id', '=', ownerId)
          .where((eb) =>
            callKey === undefined
              ? eb('expires_at', '<=', now)
              : eb.or([eb('expires_at', '<=', now), eb('call_key', '=', callKey)]),
          )
          .execute();
        const budget = await trx.selectFrom('budgets').selectAll().where('owner_id', '=', ownerId).executeTakeFirst();
        const at = new Date(now);
        // The month first: when both are spent, waiting for midnight would not help.
        for (const period of ['month', 'day'] as const) {
          const limitUsd = period === 'day' ? budget?.daily_usd : budget?.monthly_usd;
          if (limitUsd === null || limitUsd === undefined) continue;
          const spentUsd = await spentSince(trx, ownerId, periodStart(period, at).toISOString(), now);
          if (spentUsd + estimateUsd > limitUsd + EPSILON) {
            return { ok: false, period, limitUsd, spentUsd, resetsAt: periodEnd(period, at).toISOString() };
          }
        }
        // The reservation's id becomes its ledger row's id, so settling twice writes one row.
        const id = newId('led_');
        const expires = new Date(at.getTime() + ttlMs).toISOString();
        await trx
          .insertInto('spend_reservations')
          .values({
            id,
            owner_id: ownerId,
            estimate_usd: estimateUsd,
            call_key: callKey ?? null,
            created_at: now,
            expires_at: expires,
          })
          .execute();
        return { ok: true, reservationId: id, held: true };
      });
    },

    async settle(reservationId, entry, held = true) {
      if (!held) {
        if (entry) await insertLedgerRow(db, reservationId, entry);
        return;
      }
      if (!entry) {
        await db.deleteFrom('spend_reservations').where('id', '=', reservationId).execute();
        return;
      }
      // Under the owner's lock, so a concurrent reserve never sees the row gone and the ledger row not yet there.
      await locked(entry.ownerId, async (trx) => {
        await trx.deleteFrom('spend_reservations').where('id', '=', reservationId).execute();
        await insertLedgerRow(trx, reservationId, entry);
      });
    },

    async admitRequest({ ownerId, now }) {
      // Most users have no limit: answer without a transaction.
      const limit = await rateLimitOf(db, ownerId);
      if (limit === null) return { ok: true };
      return locked(ownerId, async (trx) => {
        const requestsPerMinute = (await rateLimitOf(trx, ownerId)) ?? limit;
        const windowStart = new Date(Date.parse(now) - WINDOW_MS).toISOString();
        await trx
          .deleteFrom('request_log')
          .where('owner_id', '=', ownerId)
          .where('created_at', '<=', windowStart)
          .execute();
        const recent = await trx
          .selectFrom('request_log')
          .select('created_at')
          .where('owner_id', '=', ownerId)
          .orderBy('created_at', 'asc')
          .execute();
        if (recent.length >= requestsPerMinute) {
          // The wait until enough of the minute's requests have aged out for one more to fit.
          const freeing = recent[recent.length - requestsPerMinute]?.created_at ?? now;
          const retryAfterMs = Math.max(1, Date.parse(freeing) + WINDOW_MS - Date.parse(now));
          return { ok: false as const, retryAfterMs, requestsPerMinute };
        }
        // Refused requests are not recorded: retrying too early does not push the wait further out.
        await trx
          .insertInto('request_log')
          .values({ id: newId('req_'), owner_id: ownerId, created_at: now })
          .execute();
        return { ok: true as const };
      });
    },

    async getBudget(ownerId) {
      const row = await db.selectFrom('budgets').selectAll().where('owner_id', '=', ownerId).executeTakeFirst();
      return row && budgetFromRow(row);
    },

    setBudget: (ownerId, change, now) =>
      locked(ownerId, async (trx) => {
        const current = await trx.selectFrom('budgets').selectAll().where('owner_id', '=', ownerId).executeTakeFirst();
        const row: BudgetsTable = {
          owner_id: ownerId,
          daily_usd: change.dailyUsd === undefined ? (current?.daily_usd ?? null) : change.dailyUsd,
          monthly_usd: change.monthlyUsd === undefined ? (current?.monthly_usd ?? null) : change.monthlyUsd,
          requests_per_minute:
            change.requestsPerMinute === undefined ? (current?.requests_per_minute ?? null) : change.requestsPerMinute,
          updated_at: now,
        };
        const { owner_id: _, ...rest } = row;
        await trx
          .insertInto('budgets')
          .values(row)
          .onConflict((oc) => oc.column('owner_id').doUpdateSet(rest))
          .execute();
        return budgetFromRow(row);
      }),

    async listBudgets() {
      const rows = await db.selectFrom('budgets').selectAll().orderBy('owner_id').execute();
      return rows.map(budgetFromRow);
    },

    costSummary: (query) => costSummary(db, query),

    async usage({ since }) {
      const rows = await db
        .selectFrom('ledger')
        .leftJoin('users', 'users.id', 'ledger.owner_id')
        .select((eb) => [
          'ledger.owner_id as owner_id',
          'users.email as email',
          'ledger.model_alias as model_alias',
          imageCalls.as('calls'),
          eb.fn.sum('ledger.cost_usd').as('cost'),
        ])
        .where('ledger.created_at', '>=', since)
        .groupBy(['ledger.owner_id', 'users.email', 'ledger.model_alias'])
        .execute();
      return rows.map((r) => ({
        ownerId: r.owner_id,
        email: r.email ?? null,
        modelAlias: r.model_alias,
        images: Number(r.calls),
        costUsd: Number(r.cost),
      }));
    },

    async prune(before) {
      const log = await db.deleteFrom('request_log').where('created_at', '<', before).executeTakeFirst();
      const stale = await db.deleteFrom('spend_reservations').where('expires_at', '<', before).executeTakeFirst();
      return Number(log.numDeletedRows) + Number(stale.numDeletedRows);
    },

    async releaseCalls(ownerId, callKeys) {
      if (callKeys.length === 0) return;
      await db
        .deleteFrom('spend_reservations')
        .where('owner_id', '=', ownerId)
        .where('call_key', 'in', callKeys)
        .execute();
    },
  };
}

/**
 * Serializes one owner's spending checks until the transaction ends. PostgreSQL: a row lock on the user
 * (`for no key update`, which still lets other tables' foreign keys to the user be checked). SQLite: the
 * first statement writes, which takes the database's write lock for the whole transaction (also against
 * other processes on the file); Kysely runs one transaction at a time on its single connection anyway.
 */
/** One billed call; its id is the reservation's, so settling twice writes one row. */
async function insertLedgerRow(db: Kysely<DB> | Transaction<DB>, id: string, entry: LedgerEntry): Promise<void> {
  await db
    .insertInto('ledger')
    .values(entryToRow(id, entry))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

async function lockOwner(trx: Transaction<DB>, ownerId: string, postgres: boolean): Promise<void> {
  await ensureUsers(trx, [ownerId]);
  if (postgres) await trx.selectFrom('users').select('id').where('id', '=', ownerId).forNoKeyUpdate().execute();
}

/** Billed since `since`, plus every reservation still in flight at `now`. */
async function spentSince(trx: Transaction<DB>, ownerId: string, since: string, now: string): Promise<number> {
  const billed = await trx
    .selectFrom('ledger')
    .select((eb) => eb.fn.sum<number | string | null>('cost_usd').as('usd'))
    .where('owner_id', '=', ownerId)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  const inFlight = await trx
    .selectFrom('spend_reservations')
    .select((eb) => eb.fn.sum<number | string | null>('estimate_usd').as('usd'))
    .where('owner_id', '=', ownerId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(billed?.usd ?? 0) + Number(inFlight?.usd ?? 0);
}

async function rateLimitOf(db: Kysely<DB> | Transaction<DB>, ownerId: string): Promise<number | null> {
  const row = await db
    .selectFrom('budgets')
    .select('requests_per_minute')
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  return row?.requests_per_minute ?? null;
}

/** Billed image calls (a text-model call costs, but makes no image). */
const imageCalls = sql<number>`sum(case when kind = 'text' then 0 else 1 end)`;

async function costSummary(db: Kysely<DB>, query: ImageCostQuery): Promise<ImageCostSummary> {
  // created_at is ISO 8601 UTC text, so its first ten characters are the UTC day (substr is portable).
  const day = sql<string>`substr(created_at, 1, 10)`;
  let byModel = db
    .selectFrom('ledger')
    .select((eb) => ['model_alias', 'model_id', imageCalls.as('calls'), eb.fn.sum('cost_usd').as('cost')])
    .groupBy(['model_alias', 'model_id']);
  let byDay = db
    .selectFrom('ledger')
    .select((eb) => [day.as('day'), imageCalls.as('calls'), eb.fn.sum('cost_usd').as('cost')])
    .where('created_at', '>=', query.since)
    .groupBy(day);
  let emulated = db.selectFrom('ledger').select(imageCalls.as('calls')).where('emulated', '=', 1);
  if (query.ownerId !== undefined) {
    byModel = byModel.where('owner_id', '=', query.ownerId);
    byDay = byDay.where('owner_id', '=', query.ownerId);
    emulated = emulated.where('owner_id', '=', query.ownerId);
  }
  const [models, days, emulatedRow] = await Promise.all([
    byModel.execute(),
    byDay.orderBy(day).execute(),
    emulated.executeTakeFirst(),
  ]);
  // PostgreSQL returns count(*) as a bigint string; Number() reads both dialects.
  return {
    byModel: models
      .map((r) => ({
        modelAlias: r.model_alias,
        modelId: r.model_id,
        images: Number(r.calls),
        costUsd: Number(r.cost),
      }))
      .sort((a, b) => b.costUsd - a.costUsd || a.modelAlias.localeCompare(b.modelAlias)),
    byDay: days.map((r) => ({ day: r.day, images: Number(r.calls), costUsd: Number(r.cost) })),
    emulatedImages: Number(emulatedRow?.calls ?? 0),
  };
}

function entryToRow(id: string, e: LedgerEntry): DB['ledger'] {
  return {
    id,
    owner_id: e.ownerId,
    kind: e.kind,
    model_id: e.modelId,
    model_alias: e.modelAlias,
    image_size: e.imageSize,
    prompt_tokens: e.promptTokens,
    image_tokens: e.imageTokens,
    thoughts_tokens: e.thoughtsTokens,
    total_tokens: e.totalTokens,
    cost_usd: e.costUsd,
    pipeline_id: e.pipelineId,
    image_id: e.imageId,
    created_at: e.createdAt,
    emulated: e.emulated ? 1 : 0,
    outcome: e.outcome ?? null,
  };
}

function budgetFromRow(row: BudgetsTable): Budget {
  // PostgreSQL hands back double precision as numbers already; Number() keeps both dialects alike.
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    ownerId: row.owner_id,
    dailyUsd: num(row.daily_usd),
    monthlyUsd: num(row.monthly_usd),
    requestsPerMinute: num(row.requests_per_minute),
    updatedAt: row.updated_at,
  };
}
