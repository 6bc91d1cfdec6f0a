/**
 * The queue of one server: pipelines wait in memory, fair between callers, and at most `concurrency` run
 * at once. What a stopped server leaves unfinished is in the database; the next start resumes it.
 * @module
 */
import { FairQueue } from './fairQueue.js';
import type { PipelineQueue, QueueItem, RunOutcome } from './types.js';

export class LocalQueue implements PipelineQueue {
  readonly shared = false;
  private readonly _waiting = new FairQueue<QueueItem>();
  private readonly _runs = new Set<Promise<unknown>>();
  private _run: ((item: QueueItem, signal: AbortSignal) => Promise<RunOutcome>) | undefined;
  private _stopped = false;
  private readonly _retries = new Map<string, number>();
  // Never aborted: in one process, nobody else can take a job away.
  private readonly _signal = new AbortController().signal;

  constructor(private readonly _concurrency: number) {}

  async start(run: (item: QueueItem, signal: AbortSignal) => Promise<RunOutcome>): Promise<void> {
    this._run = run;
    this._pump();
  }

  async push(items: QueueItem[]): Promise<void> {
    for (const item of items) this._waiting.push(item.ownerId, item);
    this._pump();
  }

  async remove(id: string): Promise<boolean> {
    return this._waiting.remove((item) => item.id === id) > 0;
  }

  async stop(): Promise<void> {
    this._stopped = true;
    while (this._runs.size > 0) await Promise.allSettled([...this._runs]);
  }

  private _pump(): void {
    const run = this._run;
    while (run && !this._stopped && this._runs.size < this._concurrency && this._waiting.size > 0) {
      const item = this._waiting.shift();
      if (!item) break;
      const running: Promise<unknown> = run(item, this._signal)
        .then((outcome) => {
          // A passing failure (the database was busy or away): run it again in a moment, a few times.
          const tries = this._retries.get(item.id) ?? 0;
          if (outcome !== 'retry' || this._stopped || tries >= 5) return void this._retries.delete(item.id);
          this._retries.set(item.id, tries + 1);
          setTimeout(() => void this.push([item]), 1000 * 2 ** tries).unref();
        })
        .catch(() => undefined)
        .finally(() => {
          this._runs.delete(running);
          this._pump();
        });
      this._runs.add(running);
    }
  }
}
