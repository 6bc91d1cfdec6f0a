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
import type { Logger } from './logger.js';
import { estimateCostUsd, type ImageSize, type ModelRegistry, type ModelSpec, reservationUsd } from './models.js';
import type {
  Budget,
  BudgetChange,
  GenerateImageResult,
  ImageCostQuery,
  ImageCostSummary,
  LedgerEntry,
  LedgerKind,
  LedgerOutcome,
  SpendingRepository,
  TokenUsage,
  UsageRow,
} from './ports.js';
import type { ImageJob } from './studioTypes.js';
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
  /** False when the owner has no budget: nothing was held, there is nothing to release. */
  readonly held: boolean;
  settle(call: {
    kind: LedgerKind;
    pipelineId: string | null;
    imageId: string | null;
    usage: TokenUsage;
  }): Promise<void>;
  release(): Promise<void>;
  /** Settles it with a ledger row made by the caller (a call whose answer never came). */
  record(entry: LedgerEntry): Promise<void>;
}

/**
 * One billed call: what it is for and, for a call that may be aborted, its signal and how to mark it in
 * the ledger when it is (null: not recorded here, e.g. another instance took the pipeline and records it).
 */
export interface BilledCall {
  kind: LedgerKind;
  pipelineId: string | null;
  abort?: { signal: AbortSignal; outcome: () => LedgerOutcome | null };
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
    // An unknown price (a pass-through model) reserves the dearest known one: a budget must still hold.
    return this._reserveUsd(ownerId, reservationUsd(this._o.registry, model, size), callKey, 1, model, size);
  }

  private async _reserveUsd(
    ownerId: string,
    estimateUsd: number,
    callKey: string | undefined,
    calls: number,
    model?: ModelSpec,
    size?: ImageSize,
  ): Promise<SpendingReservation> {
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
      throw new BudgetExceededError(budgetMessage(ownerId, estimateUsd, result, now, calls), {
        ...limit,
        resetsAt: result.resetsAt,
      });
    }
    const { reservationId, held } = result;
    return {
      estimateUsd,
      held,
      settle: (call) =>
        !model || !size
          ? Promise.reject(new Error('A batch hold is released, not settled.'))
          : this._o.repo
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
      record: (entry) =>
        this._o.repo
          .settle(reservationId, entry, held)
          .then(() => telemetry().count('spend_usd_total', { model: entry.modelAlias }, entry.costUsd)),
    };
  }

  /**
   * Holds the budget for every billed call of a batch at once (at submit: a batch that cannot fit is
   * refused before anything is queued), or throws BudgetExceededError for the whole batch. Each call
   * takes over its hold when it runs (same call key); `releaseCalls` drops the holds of a pipeline that
   * ended without making its calls.
   */
  async holdBatch(ownerId: string, calls: Array<{ job: BilledJob; kind: LedgerKind; pipelineId: string }>) {
    const priced = calls.flatMap((c) => {
      const model = this._o.registry.resolve(c.job.modelAlias);
      return model ? [{ ...c, model }] : [];
    });
    if (priced.length === 0) return;
    // The whole batch at once first, so that a refusal says what the batch would cost against what is left.
    const totalUsd = priced.reduce((sum, c) => sum + reservationUsd(this._o.registry, c.model, c.job.imageSize), 0);
    const whole = await this._reserveUsd(ownerId, totalUsd, undefined, priced.length);
    // No budget: nothing to hold (one query, as for any call without a budget).
    if (!whole.held) return;
    await whole.release();
    const held: SpendingReservation[] = [];
    try {
      for (const c of priced)
        held.push(await this.reserve(ownerId, c.model, c.job.imageSize, `${c.pipelineId}:${c.kind}`));
    } catch (error) {
      await Promise.allSettled(held.map((h) => h.release()));
      throw error;
    }
  }

  /** Drops what `holdBatch` held for calls that will not be made. */
  async releaseCalls(ownerId: string, callKeys: string[]): Promise<void> {
    await this._o.repo.releaseCalls(ownerId, callKeys);
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
  async bill(job: BilledJob, call: BilledCall, run: () => Promise<GenerateImageResult>): Promise<GenerateImageResult> {
    const model = this._o.registry.resolve(job.modelAlias);
    // An unknown model fails in `run` with its own message.
    if (!model) return run();
    const callKey = call.pipelineId ? `${call.pipelineId}:${call.kind}` : undefined;
    const reservation = await this.reserve(job.ownerId, model, job.imageSize, callKey);
    let result: GenerateImageResult;
    // Aborted before it started, the call was never sent.
    const sent = !call.abort?.signal.aborted;
    try {
      result = await run();
    } catch (error) {
      // Aborted once sent, Google may bill it all the same: it goes into the ledger, marked.
      const outcome = sent && call.abort?.signal.aborted ? call.abort.outcome() : null;
      const entry = outcome ? this._unansweredEntry(job, model, call, outcome) : null;
      await (entry ? reservation.record(entry) : reservation.release()).catch((err) =>
        this._o.log.warn({ err }, 'reservation not settled; it stops counting when it expires'),
      );
      throw error;
    }
    // The image exists and Gemini billed it: a bookkeeping failure must not lose it. The reservation keeps
    // counting against the budget until it expires.
    await reservation
      .settle({ kind: call.kind, pipelineId: call.pipelineId, imageId: job.imageId, usage: result.usage })
      .catch((err) => this._o.log.error({ err, owner: job.ownerId, image: job.imageId }, 'ledger row not written'));
    return result;
  }

  /**
   * A call of an earlier run that its instance never saw answered (it died mid-call): recorded once, by
   * the run that takes the pipeline over, as `interrupted` (Google may have billed it).
   */
  async recordInterrupted(job: BilledJob, call: { kind: LedgerKind; pipelineId: string; attempt: number }) {
    const model = this._o.registry.resolve(job.modelAlias);
    if (!model) return;
    const entry = this._unansweredEntry(job, model, call, 'interrupted');
    await this._o.repo.settle(`led_${call.pipelineId}_${call.kind}_${call.attempt}`, entry, false);
  }

  private _unansweredEntry(
    job: BilledJob,
    model: ModelSpec,
    call: { kind: LedgerKind; pipelineId: string | null },
    outcome: LedgerOutcome,
  ): LedgerEntry {
    return {
      ownerId: job.ownerId,
      kind: call.kind,
      modelId: model.id,
      modelAlias: model.alias,
      imageSize: job.imageSize,
      promptTokens: 0,
      imageTokens: 0,
      thoughtsTokens: 0,
      totalTokens: 0,
      // No usage came back: the list price of the call, as the estimate.
      costUsd: estimateCostUsd(model, job.imageSize),
      pipelineId: call.pipelineId,
      imageId: null,
      createdAt: this._now().toISOString(),
      outcome,
      ...(isEmulated(this._o.registry) ? { emulated: true } : {}),
    };
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
  call: BilledCall,
  run: () => Promise<GenerateImageResult>,
): Promise<GenerateImageResult> {
  return guard ? guard.bill(job, call, run) : run();
}

function budgetMessage(
  ownerId: string,
  estimateUsd: number,
  limit: { period: 'day' | 'month'; limitUsd: number; spentUsd: number; resetsAt: string },
  now: Date,
  calls = 1,
): string {
  const daily = limit.period === 'day';
  const wait = formatWait(new Date(limit.resetsAt).getTime() - now.getTime());
  const at = `${limit.resetsAt.slice(0, 16).replace('T', ' ')} UTC`;
  return [
    `The ${daily ? 'daily' : 'monthly'} budget of ${formatUsd(limit.limitUsd)} for user "${ownerId}" is reached:`,
    `${formatUsd(limit.spentUsd)} is spent or in progress ${daily ? 'today' : 'this month'} (UTC) and ${calls === 1 ? 'this call' : `these ${calls} image calls`} would cost about ${formatUsd(estimateUsd)}.`,
    `It resets ${daily ? 'at UTC midnight' : 'on the 1st of next month'} (${at}, in ${wait}).`,
    `Wait until then, or ask an admin to raise it (nanobanana-studio budget set --user ${ownerId} --${daily ? 'daily' : 'monthly'} USD).`,
    calls === 1
      ? 'This call was not sent to Gemini, so it was not billed.'
      : 'Nothing was queued or sent to Gemini, so nothing was billed.',
  ].join(' ');
}
