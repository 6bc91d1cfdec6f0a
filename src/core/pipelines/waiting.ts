/**
 * Waiting on pipelines that may run on another instance: which pipelines someone here waits on (and
 * whether they want every change or only the end), the signals other instances send when one changes,
 * and the polling that stands in for signals while their connection is down.
 * @module
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import type { ProgressFollowers } from './progressFollowers.js';
import { isTerminal, signalOf } from './stages.js';
import {
  type PipelineRecord,
  type PipelineRepository,
  type PipelineSignal,
  type PipelineSignals,
  TERMINAL_STATUSES,
} from './types.js';

export interface RemoteChangesDeps {
  repo: PipelineRepository;
  signals: PipelineSignals | undefined;
  log: Logger;
  instanceId: () => string;
  /** Ids of the pipelines running in this process. */
  runningHere: () => Iterable<string>;
  /** Tells local listeners about a stored change (the engine's announce). */
  announce: (record: PipelineRecord) => void;
  abortRunning: (id: string) => boolean;
  /** Who follows a pipeline's progress on other instances (so progress is only sent while someone does). */
  followers: ProgressFollowers;
}

export class RemoteChanges {
  /** Pipelines someone here waits on, with the last change seen. */
  private readonly _watched = new Map<string, { count: number; progress: number; updatedAt: string }>();
  private _pollTicks = 0;

  constructor(private readonly _d: RemoteChangesDeps) {}

  /** Registers interest in changes from other instances: every change (`progress`), or only the end. */
  watch(ids: string[], progress = false): () => void {
    const step = progress ? 1 : 0;
    for (const id of ids) {
      const entry = this._watched.get(id);
      if (entry) {
        entry.count += 1;
        entry.progress += step;
      } else this._watched.set(id, { count: 1, progress: step, updatedAt: '' });
    }
    if (progress) this._d.followers.follow(ids);
    return () => {
      for (const id of ids) {
        const entry = this._watched.get(id);
        if (!entry) continue;
        entry.progress -= step;
        if (--entry.count === 0) this._watched.delete(id);
      }
    };
  }

  /** True while someone on another instance follows this pipeline's progress. */
  followedElsewhere(id: string): boolean {
    return this._d.followers.followedElsewhere(id);
  }

  /** Records a change announced here, so the same change coming back from elsewhere is not announced twice. */
  seen(record: PipelineRecord): void {
    const watched = this._watched.get(record.id);
    if (watched && watched.updatedAt < record.updatedAt) watched.updatedAt = record.updatedAt;
  }

  onSignal(signal: PipelineSignal): void {
    if (signal.cancel) {
      this._d.abortRunning(signal.id);
      return;
    }
    const newFollower = signal.follow === true && !this._d.followers.followedElsewhere(signal.id);
    if (this._d.followers.onSignal(signal) || signal.from === this._d.instanceId()) {
      if (newFollower && signal.from !== this._d.instanceId()) this._tellNewFollower(signal.id);
      return;
    }
    const watched = this._watched.get(signal.id);
    if (!watched || watched.updatedAt >= signal.updatedAt) return;
    // A long-poll only needs the end: skip reading the stages in between unless someone shows progress.
    if (watched.progress === 0 && !TERMINAL_STATUSES.includes(signal.status)) return;
    this._d.repo
      .get(signal.id)
      .then((record) => {
        if (record && (this._watched.get(record.id)?.updatedAt ?? record.updatedAt) < record.updatedAt) {
          this._d.announce(record);
        }
      })
      .catch((err) => this._d.log.warn({ err, pipeline: signal.id }, 'could not read a changed pipeline'));
  }

  /**
   * Someone elsewhere began following a pipeline that runs here: its state now goes out once, since the
   * stage it is in may have started before the request arrived (its start was then not announced there,
   * and a follower would see nothing until the next stage).
   */
  private _tellNewFollower(id: string): void {
    if (!this._d.signals || ![...this._d.runningHere()].includes(id)) return;
    const signals = this._d.signals;
    this._d.repo
      .get(id)
      .then((record) =>
        record && !isTerminal(record) ? signals.publish(signalOf(record, this._d.instanceId())) : undefined,
      )
      .catch((err) => this._d.log.warn({ err, pipeline: id }, 'could not tell a new follower where a pipeline is'));
  }

  /**
   * The fallback to signals: re-reads what is waited on (announcing what changed) and what runs here
   * (stopping what someone asked to cancel). Every tick while the signal connection is down, at once when
   * it is back; every fifth tick while it is up (a safety net).
   */
  async poll(force = false): Promise<void> {
    const ids = new Set([...this._watched.keys(), ...this._d.runningHere()]);
    if (ids.size === 0) return;
    this._d.followers.renew((id) => (this._watched.get(id)?.progress ?? 0) > 0);
    this._pollTicks += 1;
    if (!force && this._d.signals?.connected && this._pollTicks % 5 !== 0) return;
    try {
      for (const record of await this._d.repo.getMany([...ids])) {
        const watched = this._watched.get(record.id);
        if (watched && watched.updatedAt < record.updatedAt) this._d.announce(record);
        else if (record.cancelRequestedAt && !isTerminal(record)) this._d.abortRunning(record.id);
      }
    } catch (err) {
      this._d.log.warn({ err }, 'could not poll the pipelines waited on');
    }
  }
}

/**
 * The event a stored change of pipeline `id` is announced on, besides 'change' (every pipeline). Who waits
 * on some pipelines listens to theirs only: with every waiter on 'change', each change went to every
 * waiter, and 200 calls at once made 200 x 200 calls of listeners per round of changes (issue 14).
 */
export function changeEvent(id: string): string {
  return `change:${id}`;
}

/** Announces a stored change on 'change' and on its pipeline's own event. */
export function announceChange(events: EventEmitter, record: PipelineRecord): void {
  events.emit('change', record);
  events.emit(changeEvent(record.id), record);
}

/** Listens to the changes of the pipelines `ids` only (or of all of them, without ids); returns the undo. */
export function onChanges(events: EventEmitter, ids: string[] | undefined, listener: (r: PipelineRecord) => void) {
  const names = ids ? [...new Set(ids)].map(changeEvent) : ['change'];
  for (const name of names) events.on(name, listener);
  return () => {
    for (const name of names) events.off(name, listener);
  };
}

/** What waiting on pipelines needs from the engine. */
export interface WaitDeps {
  /** `changeEvent(id)` (a stored change, from here or elsewhere) and 'stopping' (the server is stopping). */
  events: EventEmitter;
  /** Registers interest in the pipelines' changes on other instances; returns the undo. */
  watch: (ids: string[]) => () => void;
  /** The pipeline as stored, if the caller may see it (refuses otherwise). */
  read: (id: string) => Promise<PipelineRecord>;
  stopping: () => boolean;
}

/**
 * Resolves with the records once every pipeline has finished (completed, failed or cancelled), or at
 * the deadline, or when `signal` aborts, or when the server stops — whichever comes first — with their
 * state at that moment.
 */
export function waitForEnd(
  d: WaitDeps,
  ids: string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PipelineRecord[]> {
  const latest = new Map<string, PipelineRecord>();
  const done = () => ids.every((id) => isTerminal(latest.get(id)));
  return new Promise<PipelineRecord[]>((resolve, reject) => {
    let settled = false;
    const unwatch = d.watch(ids);
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unlisten();
      d.events.off('stopping', onStopping);
      unwatch();
      signal?.removeEventListener('abort', finish);
      resolve(ids.map((id) => latest.get(id) as PipelineRecord));
    };
    const onChange = (record: PipelineRecord) => {
      if (!latest.has(record.id)) return;
      latest.set(record.id, record);
      if (done()) finish();
    };
    // Subscribe before reading, so a change between the read and the subscription is not missed.
    const unlisten = onChanges(d.events, ids, onChange);
    const timer = setTimeout(finish, Math.max(0, timeoutMs));
    signal?.addEventListener('abort', finish, { once: true });
    // A stopping server answers every long-poll at once with the state as it is (see `stopping`).
    const onStopping = () => void read.then(finish, () => undefined);
    d.events.once('stopping', onStopping);
    const read = Promise.all(ids.map((id) => d.read(id)));
    if (d.stopping()) onStopping();
    read
      .then((records) => {
        for (const record of records) {
          const seen = latest.get(record.id);
          if (!seen || seen.updatedAt < record.updatedAt) latest.set(record.id, record);
        }
        if (done()) finish();
      })
      .catch((error) => {
        settled = true;
        clearTimeout(timer);
        unlisten();
        d.events.off('stopping', onStopping);
        unwatch();
        reject(error);
      });
  });
}
