/**
 * Who follows a pipeline's progress from another instance. A pipeline's changes of state are always
 * announced to the other instances; its progress steps only while someone elsewhere follows them (a
 * synchronous call showing progress), since every announcement reaches every instance. A follower asks
 * with a `follow` signal and renews it while it follows; the request lapses by itself.
 * @module
 */
import type { Logger } from '../logger.js';
import type { PipelineSignal, PipelineSignals } from './types.js';

/** How long a request to announce a pipeline's progress lasts unless renewed. */
export const FOLLOW_TTL_MS = 30_000;

export class ProgressFollowers {
  /** Pipelines followed from elsewhere, until when (ms). */
  private readonly _followers = new Map<string, number>();
  /** When this instance last asked for the progress of a pipeline it follows. */
  private readonly _sent = new Map<string, number>();

  constructor(
    private readonly _signals: PipelineSignals | undefined,
    private readonly _instanceId: string,
    private readonly _log: Pick<Logger, 'warn'>,
  ) {}

  /** True while someone on another instance follows the pipeline's progress. */
  followedElsewhere(id: string): boolean {
    return (this._followers.get(id) ?? 0) > Date.now();
  }

  /** Takes a `follow` signal from another instance; false for any other signal. */
  onSignal(signal: PipelineSignal): boolean {
    if (!signal.follow) return false;
    if (signal.from !== this._instanceId) this._followers.set(signal.id, Date.now() + FOLLOW_TTL_MS);
    return true;
  }

  /** Asks whichever instance runs these pipelines to announce their progress. */
  follow(ids: string[]): void {
    if (!this._signals) return;
    const now = Date.now();
    for (const id of ids) {
      this._sent.set(id, now);
      this._signals
        .publish({ id, status: 'queued', updatedAt: '', from: this._instanceId, follow: true })
        .catch((err) => this._log.warn({ err, pipeline: id }, 'could not ask for the progress of a pipeline'));
    }
  }

  /** Renews the requests for what is still followed here, and forgets what lapsed. */
  renew(followedHere: (id: string) => boolean): void {
    const now = Date.now();
    const due: string[] = [];
    for (const [id, at] of this._sent) {
      if (!followedHere(id)) this._sent.delete(id);
      else if (now - at > FOLLOW_TTL_MS / 3) due.push(id);
    }
    if (due.length > 0) this.follow(due);
    for (const [id, until] of this._followers) if (until < now) this._followers.delete(id);
  }
}
