/**
 * Spending ports: the cost ledger, per-user budgets and rate limits (see core/spending.ts).
 * @module
 */
/** What a billed Gemini image call was for: a new image, an edit, or the second pass of enhance-image. */
export type LedgerKind = 'generate' | 'edit' | 'enhance' | 'text';

/**
 * A call whose answer never came, which Google may still bill: `aborted` (cancelled, timed out),
 * `handed-back` (its instance stopped; another ran the pipeline again), `interrupted` (its instance died).
 */
export type LedgerOutcome = 'aborted' | 'handed-back' | 'interrupted';

/**
 * One billed Gemini image call. The ledger only grows: deleting an image refunds nothing, and a call
 * that Gemini refused or that failed is never written.
 */
export interface LedgerEntry {
  ownerId: string;
  kind: LedgerKind;
  modelId: string;
  modelAlias: string;
  /** The image size; null for a text-model call. */
  imageSize: string | null;
  promptTokens: number;
  imageTokens: number;
  thoughtsTokens: number;
  totalTokens: number;
  /** The list price of the call when it was made. */
  costUsd: number;
  pipelineId: string | null;
  /** The image the call made (reserved up front; it may never have been stored, or deleted since). */
  imageId: string | null;
  /** ISO 8601. */
  createdAt: string;
  /** Made by the built-in emulator (synthetic, free). */
  emulated?: boolean;
  /** Absent for a call that returned. */
  outcome?: LedgerOutcome;
}

/** An admin's limits for one user; `null` is no limit. Amounts in USD, periods in UTC. */
export interface Budget {
  ownerId: string;
  dailyUsd: number | null;
  monthlyUsd: number | null;
  requestsPerMinute: number | null;
  /** ISO 8601. */
  updatedAt: string;
}

/** A change to a budget: a field left out stays as it is, `null` clears it. */
export type BudgetChange = Partial<Pick<Budget, 'dailyUsd' | 'monthlyUsd' | 'requestsPerMinute'>>;

export type BudgetPeriod = 'day' | 'month';

export interface ReserveRequest {
  ownerId: string;
  /** What the call will cost, counted against the budgets until it is settled or expires. */
  estimateUsd: number;
  /** ISO 8601. */
  now: string;
  /** After this long an unsettled reservation stops counting (its instance crashed). */
  ttlMs: number;
  /**
   * The call it is for (pipeline and stage). A reservation an earlier run left under the same key (its
   * instance died mid-call, and the pipeline runs again elsewhere) is replaced, not added to.
   */
  callKey?: string;
}

export type ReserveResult =
  /** `held` is false when the owner has no budget: nothing was reserved, settling only writes the ledger row. */
  | { ok: true; reservationId: string; held: boolean }
  | {
      ok: false;
      period: BudgetPeriod;
      limitUsd: number;
      /** Billed in the period plus what is in flight, without this call. */
      spentUsd: number;
      /** ISO 8601: when the period ends (UTC). */
      resetsAt: string;
    };

export type AdmitResult = { ok: true } | { ok: false; retryAfterMs: number; requestsPerMinute: number };

/**
 * The ledger, reservations, budgets and request log. `reserve` and `admitRequest` are atomic per owner,
 * also between processes sharing one database, so limits hold across server instances.
 */
export interface SpendingRepository {
  /** Checks the owner's budgets counting billed calls and unexpired reservations, and reserves if it fits. */
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /** Deletes the reservation and, unless `entry` is null (nothing billed), writes the ledger row; one transaction. */
  settle(reservationId: string, entry: LedgerEntry | null, held?: boolean): Promise<void>;
  /** Counts the owner's requests of the last minute against their limit and records this one if admitted. */
  admitRequest(request: { ownerId: string; now: string }): Promise<AdmitResult>;
  getBudget(ownerId: string): Promise<Budget | undefined>;
  setBudget(ownerId: string, change: BudgetChange, now: string): Promise<Budget>;
  listBudgets(): Promise<Budget[]>;
  /**
   * Spending from the ledger (all owners when `ownerId` is left out). `images` counts billed calls: an
   * enhanced image counts twice (its draft and its polished pass).
   */
  costSummary(query: ImageCostQuery): Promise<ImageCostSummary>;
  /** Billed calls since `since` (ISO 8601), by owner and model, with the owner's email when known. */
  usage(query: { since: string }): Promise<UsageRow[]>;
  /** Deletes request-log rows older than `before` and reservations expired before it (ISO 8601); returns how many. */
  prune(before: string): Promise<number>;
  /** Drops the owner's reservations held for these calls (`<pipelineId>:<kind>`), e.g. of a cancelled pipeline. */
  releaseCalls(ownerId: string, callKeys: string[]): Promise<void>;
}

/** Spending from the ledger (see {@link SpendingRepository.costSummary}). */
export interface ImageCostQuery {
  ownerId?: string;
  /** ISO 8601: `byDay` covers calls billed at or after this instant. */
  since: string;
}

/** One owner's billed calls on one model (see {@link SpendingRepository.usage}). */
export interface UsageRow {
  ownerId: string;
  email: string | null;
  modelAlias: string;
  images: number;
  costUsd: number;
}

/** `images` is the number of billed Gemini image calls (an enhanced image is two). */
export interface ImageCostSummary {
  /** All time, by model, most expensive first. */
  byModel: Array<{ modelAlias: string; modelId: string; images: number; costUsd: number }>;
  /** Since `since`, by UTC day (`YYYY-MM-DD`), oldest first; days without calls are left out. */
  byDay: Array<{ day: string; images: number; costUsd: number }>;
  /** All time: how many of the image calls the built-in emulator answered (free). */
  emulatedImages: number;
}
