/**
 * A per-key request quota, as Google enforces `GenerateRequestsPerMinutePerProjectPerModel`: a fixed window
 * per API key; a request over the limit gets 429 RESOURCE_EXHAUSTED with `RetryInfo.retryDelay` set to the
 * time left in the window (Google's wire format: /work/shared/reference/gemini-api.md, "429 with RetryInfo";
 * https://ai.google.dev/gemini-api/docs/rate-limits). Rejected requests do not count against the quota.
 * Off by default. Every arrival is recorded so tests can count what a client sent and when.
 * @module
 */

export interface QuotaSetting {
  /** Requests admitted per window and key. */
  requestsPerMinute: number;
  /** The window's length; default 60 000 (a minute). Tests shorten it to keep runs short. */
  windowMs?: number;
}

export interface QuotaArrival {
  /** `performance.now()`-style ms of arrival. */
  at: number;
  key: string;
  admitted: boolean;
}

export type QuotaVerdict = { admitted: true } | { admitted: false; retryDelayMs: number; limit: number };

export class QuotaMeter {
  private setting: QuotaSetting | undefined;
  private readonly windows = new Map<string, { start: number; used: number }>();
  readonly arrivals: QuotaArrival[] = [];

  set(setting: QuotaSetting | null): void {
    this.setting = setting ?? undefined;
    this.windows.clear();
    this.arrivals.length = 0;
  }

  admit(key: string, now = performance.now()): QuotaVerdict {
    const setting = this.setting;
    if (setting === undefined) return { admitted: true };
    const windowMs = setting.windowMs ?? 60_000;
    let window = this.windows.get(key);
    if (window === undefined || now - window.start >= windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(key, window);
    }
    const admitted = window.used < setting.requestsPerMinute;
    this.arrivals.push({ at: now, key, admitted });
    if (admitted) {
      window.used += 1;
      return { admitted: true };
    }
    return {
      admitted: false,
      retryDelayMs: Math.max(1, window.start + windowMs - now),
      limit: setting.requestsPerMinute,
    };
  }
}
