/**
 * How many calls to one Gemini key may be in flight, learned from Google's own answers instead of a small
 * fixed pool: additive increase, multiplicative decrease (AIMD), with a slow start.
 *
 * Why AIMD: Google states its limits only by refusing (429 RESOURCE_EXHAUSTED with RetryInfo, or 503 when
 * the model is overloaded); the quotas are per project and model, shared by every process that uses the
 * key, and invisible to us. AIMD is the controller that provably converges to a fair share of an unknown
 * shared capacity from a binary "too much" signal alone, without the senders talking to each other (Chiu &
 * Jain 1989; TCP congestion control). Latency-based controllers (Vegas, gradient limits) need latency to
 * grow with load, but a Gemini call's 10-30 s is generation time that varies with the picture, so that
 * signal is noise here.
 * - start high (`initial`, default 256) and, until the first refusal, grow by one per success (slow start);
 * - on a 429 or 503: halve, at most once per round (a refusal of a call sent before the last decrease says
 *   nothing new), and hold every new call until the RetryInfo / Retry-After delay has passed;
 * - then grow by 1/limit per success (one more slot per limit's worth of successes);
 * - waiting calls are served round-robin between people (the caller context), not first come first served.
 * `max` is the optional cap (STUDIO_CONCURRENCY); it is never exceeded.
 * @module
 */
import { FairQueue } from '../pipelines/fairQueue.js';
import { currentCaller } from './caller.js';

export interface AdaptiveLimitOptions {
  initial?: number;
  min?: number;
  max?: number;
  now?: () => number;
}

/** What Google answered: `refused` is a 429 or 503 (with the delay it asked for, if any). */
export type CallOutcome = { kind: 'ok' } | { kind: 'refused'; retryAfterMs?: number } | { kind: 'other' };

export type Release = (outcome: CallOutcome) => void;

interface Waiter {
  resolve: () => void;
}

export class AdaptiveLimit {
  private _limit: number;
  private _inFlight = 0;
  private _slowStart = true;
  private _pausedUntil = 0;
  private _lastDecrease = Number.NEGATIVE_INFINITY;
  private _timer: NodeJS.Timeout | undefined;
  private readonly _waiting = new FairQueue<Waiter>();
  private readonly _min: number;
  private readonly _max: number;
  private readonly _now: () => number;

  constructor(options: AdaptiveLimitOptions = {}) {
    this._min = Math.max(1, options.min ?? 1);
    this._max = Math.max(this._min, options.max ?? 1024);
    this._limit = Math.min(this._max, Math.max(this._min, options.initial ?? 256));
    this._now = options.now ?? Date.now;
  }

  /** The current limit (whole calls). */
  get limit(): number {
    return Math.floor(this._limit);
  }

  get inFlight(): number {
    return this._inFlight;
  }

  /** Waits for a slot (fairly between callers); the returned function must be called once with the outcome. */
  async acquire(signal?: AbortSignal): Promise<Release> {
    if (this._waiting.size === 0 && this._canStart()) {
      this._inFlight += 1;
    } else {
      // The slot is counted by `_pump` when it hands it over.
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const waiter: Waiter = {
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          if (this._waiting.remove((w) => w === waiter) > 0) reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this._waiting.push(currentCaller(), waiter);
        this._pump();
      });
    }
    const startedAt = this._now();
    let released = false;
    return (outcome) => {
      if (released) return;
      released = true;
      this._inFlight -= 1;
      this._record(outcome, startedAt);
      this._pump();
    };
  }

  private _canStart(): boolean {
    return this._inFlight < Math.floor(this._limit) && this._now() >= this._pausedUntil;
  }

  private _record(outcome: CallOutcome, startedAt: number): void {
    const now = this._now();
    if (outcome.kind === 'ok') {
      this._limit = Math.min(this._max, this._limit + (this._slowStart ? 1 : 1 / this._limit));
      return;
    }
    if (outcome.kind !== 'refused') return;
    if (outcome.retryAfterMs !== undefined) this._pausedUntil = Math.max(this._pausedUntil, now + outcome.retryAfterMs);
    if (startedAt < this._lastDecrease) return;
    this._slowStart = false;
    this._lastDecrease = now;
    this._limit = Math.max(this._min, Math.floor(this._limit / 2));
  }

  private _pump(): void {
    while (this._waiting.size > 0 && this._canStart()) {
      const waiter = this._waiting.shift();
      if (!waiter) break;
      this._inFlight += 1;
      waiter.resolve();
    }
    const pausedFor = this._pausedUntil - this._now();
    if (this._waiting.size > 0 && this._timer === undefined && pausedFor > 0) {
      this._timer = setTimeout(() => {
        this._timer = undefined;
        this._pump();
      }, pausedFor);
    }
  }
}
