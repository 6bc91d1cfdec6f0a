/**
 * The spending guard: per-user rate limits before a request is taken, and per-user budgets before each
 * billed Gemini image call. A call reserves its estimated cost first (refused when a budget would be
 * exceeded, counting calls still in flight), then settles: a ledger row when it succeeded, nothing when
 * it failed or was refused. Reservations expire, so a crashed instance's calls stop counting.
 * @module
 */

import { formatUsd, formatWait } from './budgetPeriods.js';
import { isEmulated } from './emulatedRegistry.js';
import { BudgetExceededError, InvalidInputError, RateLimitedError } from './errors.js';
import type { ImageJob } from './imageJobs.js';
import type { Logger } from './logger.js';
import { estimateCostUsd, type ImageSize, type ModelRegistry, type ModelSpec } from './models.js';
import type {
  Budget,
  BudgetChange,
  GenerateImageResult,
  ImageCostQuery,
  ImageCostSummary,
  LedgerKind,
  SpendingRepository,
  TokenUsage,
  UsageRow,
} from './ports.js';
import { telemetry } from './telemetry.js';

export interface SpendingGuardOptions {
  repo: SpendingRepository;
  registry: ModelRegistry;
  log: Logger;
  now?: () => Date;
  /** How long an unsettled reservation counts (default 15 min, longer than any Gemini call with retries). */
  reservationTtlMs?: number;
}

/** A reserved call: settle it with what Gemini answered, or release it when the call failed. */
export interface SpendingReservation {
  readonly estimateUsd: number;
  settle(call: {
    kind: LedgerKind;
    pipelineId: string | null;
    imageId: string | null;
    usage: TokenUsage;
  }): Promise<void>;
  release(): Promise<void>;
}

/** What {@link SpendingGuard.bill} needs of an image job. */
export type BilledJob = Pick<ImageJob, 'ownerId' | 'modelAlias' | 'imageSize' | 'imageId'>;

const DEFAULT_TTL_MS = 15 * 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const REQUEST_WINDOW_MS = 60_000;

export class SpendingGuard {
  private _lastPrune = 0;

  constructor(private readonly _o: SpendingGuardOptions) {}

  /** Takes one request of `ownerId`, or throws RateLimitedError saying how long to wait. */
  async admit(ownerId: string): Promise<void> {
    const now = this._now();
    this._pruneNow(now);
    const result = await this._o.repo.admitRequest({ ownerId, now: now.toISOString() });
    if (result.ok) return;
    throw new RateLimitedError(
      `Rate limit: user "${ownerId}" may start ${result.requestsPerMinute} image request${result.requestsPerMinute === 1 ? '' : 's'} per minute. Try again in ${formatWait(result.retryAfterMs)}, or ask an admin to raise the limit (nanobanana-studio budget set --user ${ownerId} --rpm N).`,
      result.retryAfterMs,
    );
  }

  /** Reserves one image call's estimated cost, or throws BudgetExceededError (nothing is billed then). */
  async reserve(ownerId: string, model: ModelSpec, size: ImageSize, callKey?: string): Promise<SpendingReservation> {
    const estimateUsd = estimateCostUsd(model, size);
    const now = this._now();
    const result = await this._o.repo.reserve({
      ownerId,
      estimateUsd,
      now: now.toISOString(),
      ttlMs: this._o.reservationTtlMs ?? DEFAULT_TTL_MS,
      callKey,
    });
    if (!result.ok) {
      const limit = { period: result.period, limitUsd: result.limitUsd, spentUsd: result.spentUsd };
      throw new BudgetExceededError(budgetMessage(ownerId, estimateUsd, result, now), {
        ...limit,
        resetsAt: result.resetsAt,
      });
    }
    const { reservationId, held } = result;
    return {
      estimateUsd,
      settle: (call) =>
        this._o.repo
          .settle(
            reservationId,
            {
              ownerId,
              kind: call.kind,
              modelId: model.id,
              modelAlias: model.alias,
              imageSize: size,
              promptTokens: call.usage.promptTokens,
              imageTokens: call.usage.imageTokens,
              thoughtsTokens: call.usage.thoughtsTokens,
              totalTokens: call.usage.totalTokens,
              // The list price now; the same function made the estimate.
              costUsd: estimateCostUsd(model, size),
              pipelineId: call.pipelineId,
              imageId: call.imageId,
              createdAt: this._now().toISOString(),
              ...(isEmulated(this._o.registry) ? { emulated: true } : {}),
            },
            held,
          )
          .then(() => telemetry().count('spend_usd_total', { model: model.alias }, estimateCostUsd(model, size))),
      release: () => this._o.repo.settle(reservationId, null, held),
    };
  }

  /** The user's limits (all `null` when an admin set none). */
  async budget(ownerId: string): Promise<Budget> {
    return (
      (await this._o.repo.getBudget(ownerId)) ?? {
        ownerId,
        dailyUsd: null,
        monthlyUsd: null,
        requestsPerMinute: null,
        updatedAt: '',
      }
    );
  }

  /** Changes a user's limits (admins only; the caller checks). Fields left out stay, `null` clears. */
  async setBudget(ownerId: string, change: BudgetChange): Promise<Budget> {
    if (!ownerId.trim()) throw new InvalidInputError('The user id is empty. Name the user whose budget to set.');
    for (const [name, value] of [
      ['daily', change.dailyUsd],
      ['monthly', change.monthlyUsd],
    ] as const) {
      if (value !== undefined && value !== null && !(Number.isFinite(value) && value >= 0)) {
        throw new InvalidInputError(`The ${name} budget must be an amount in USD of 0 or more, or none; got ${value}.`);
      }
    }
    const rpm = change.requestsPerMinute;
    if (rpm !== undefined && rpm !== null && !(Number.isInteger(rpm) && rpm >= 1)) {
      throw new InvalidInputError(`The rate limit must be a whole number of requests per minute (1 or more), or none.`);
    }
    return this._o.repo.setBudget(ownerId, change, this._now().toISOString());
  }

  listBudgets(): Promise<Budget[]> {
    return this._o.repo.listBudgets();
  }

  /** Spending from the ledger: billed calls, whatever happened to their images since. */
  costSummary(query: ImageCostQuery): Promise<ImageCostSummary> {
    return this._o.repo.costSummary(query);
  }

  /** Billed calls since `since` (ISO 8601) by owner and model: what admins see of everyone's use. */
  usage(query: { since: string }): Promise<UsageRow[]> {
    return this._o.repo.usage(query);
  }

  /**
   * Runs one billed Gemini image call of a job: reserved before (a budget error stops it), written to the
   * ledger after success, released when it fails (nothing billed).
   */
  async bill(
    job: BilledJob,
    call: { kind: LedgerKind; pipelineId: string | null },
    run: () => Promise<GenerateImageResult>,
  ): Promise<GenerateImageResult> {
    const model = this._o.registry.resolve(job.modelAlias);
    // An unknown model fails in `run` with its own message.
    if (!model) return run();
    const callKey = call.pipelineId ? `${call.pipelineId}:${call.kind}` : undefined;
    const reservation = await this.reserve(job.ownerId, model, job.imageSize, callKey);
    let result: GenerateImageResult;
    try {
      result = await run();
    } catch (error) {
      await reservation
        .release()
        .catch((err) => this._o.log.warn({ err }, 'reservation not released; it stops counting when it expires'));
      throw error;
    }
    // The image exists and Gemini billed it: a bookkeeping failure must not lose it. The reservation keeps
    // counting against the budget until it expires.
    await reservation
      .settle({ ...call, imageId: job.imageId, usage: result.usage })
      .catch((err) => this._o.log.error({ err, owner: job.ownerId, image: job.imageId }, 'ledger row not written'));
    return result;
  }

  private _pruneNow(now: Date): void {
    if (now.getTime() - this._lastPrune < PRUNE_EVERY_MS) return;
    this._lastPrune = now.getTime();
    const before = new Date(now.getTime() - REQUEST_WINDOW_MS).toISOString();
    void this._o.repo.prune(before).catch((err) => this._o.log.warn({ err }, 'spending prune failed'));
  }

  private _now(): Date {
    return this._o.now?.() ?? new Date();
  }
}

/**
 * One billed Gemini image call of a job (see {@link SpendingGuard.bill}); without a guard it just runs.
 */
export function billedCall(
  guard: SpendingGuard | undefined,
  job: BilledJob,
  call: { kind: LedgerKind; pipelineId: string | null },
  run: () => Promise<GenerateImageResult>,
): Promise<GenerateImageResult> {
  return guard ? guard.bill(job, call, run) : run();
}

function budgetMessage(
  ownerId: string,
  estimateUsd: number,
  limit: { period: 'day' | 'month'; limitUsd: number; spentUsd: number; resetsAt: string },
  now: Date,
): string {
  const daily = limit.period === 'day';
  const wait = formatWait(new Date(limit.resetsAt).getTime() - now.getTime());
  const at = `${limit.resetsAt.slice(0, 16).replace('T', ' ')} UTC`;
  return [
    `The ${daily ? 'daily' : 'monthly'} budget of ${formatUsd(limit.limitUsd)} for user "${ownerId}" is reached:`,
    `${formatUsd(limit.spentUsd)} is spent or in progress ${daily ? 'today' : 'this month'} (UTC) and this call would cost about ${formatUsd(estimateUsd)}.`,
    `It resets ${daily ? 'at UTC midnight' : 'on the 1st of next month'} (${at}, in ${wait}).`,
    `Wait until then, or ask an admin to raise it (nanobanana-studio budget set --user ${ownerId} --${daily ? 'daily' : 'monthly'} USD).`,
    'This call was not sent to Gemini, so it was not billed.',
  ].join(' ');
}
