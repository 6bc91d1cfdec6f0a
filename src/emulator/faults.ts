/**
 * Faults queued through the API (`emulator.faults.enqueue`) or the control endpoint, plus the global latency.
 * Each generate call consumes at most one queued fault: the first whose `match` fits.
 * @module
 */
import type { Fault, FaultMatch } from './types.js';

interface Queued {
  fault: Fault;
  /** Remaining applications; Infinity for "until cleared". */
  remaining: number;
  match: FaultMatch | undefined;
}

export class FaultQueue {
  private queue: Queued[] = [];
  private globalLatency: number | undefined;
  private readonly defaultLatency: number;

  constructor(defaultLatency: number) {
    this.defaultLatency = defaultLatency;
  }

  /** `times` defaults to 1; `Infinity` (or a negative number, for JSON callers) keeps the fault until cleared. */
  enqueue(fault: Fault, options: { times?: number; match?: FaultMatch } = {}): void {
    const times = options.times ?? 1;
    const remaining = times < 0 || times === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : Math.floor(times);
    if (remaining <= 0) return;
    this.queue.push({ fault: { ...fault }, remaining, match: options.match });
  }

  take(model: string, prompt: string): Fault | undefined {
    const index = this.queue.findIndex((q) => matches(q.match, model, prompt));
    const entry = this.queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }

  setGlobal(fault: Partial<{ latencyMs: number }> | null): void {
    this.globalLatency = fault?.latencyMs;
  }

  latencyMs(): number {
    return this.globalLatency ?? this.defaultLatency;
  }

  pending(): Array<{ fault: Fault; remaining: number | null; match: FaultMatch | null }> {
    return this.queue.map((q) => ({
      fault: q.fault,
      remaining: Number.isFinite(q.remaining) ? q.remaining : null,
      match: q.match ?? null,
    }));
  }

  clear(): void {
    this.queue = [];
    this.globalLatency = undefined;
  }
}

function matches(match: FaultMatch | undefined, model: string, prompt: string): boolean {
  if (!match) return true;
  if (match.model !== undefined && match.model.replace(/^models\//, '') !== model) return false;
  if (match.promptIncludes !== undefined && !prompt.includes(match.promptIncludes)) return false;
  return true;
}
