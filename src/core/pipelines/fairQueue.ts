/**
 * A queue that is fair between callers: one FIFO per owner, served round-robin, so one person's batch
 * of 50 does not hold everyone else's single image behind it.
 * @module
 */
export class FairQueue<T> {
  private readonly _queues = new Map<string, T[]>();
  private _order: string[] = [];
  private _next = 0;
  private _size = 0;

  get size(): number {
    return this._size;
  }

  push(owner: string, item: T): void {
    let queue = this._queues.get(owner);
    if (!queue) {
      queue = [];
      this._queues.set(owner, queue);
      this._order.push(owner);
    }
    queue.push(item);
    this._size += 1;
  }

  /** The next item, taking owners in turn. */
  shift(): T | undefined {
    if (this._size === 0) return undefined;
    for (let i = 0; i < this._order.length; i += 1) {
      const index = (this._next + i) % this._order.length;
      const owner = this._order[index] as string;
      const queue = this._queues.get(owner);
      const item = queue?.shift();
      if (item !== undefined) {
        this._size -= 1;
        this._next = index + 1;
        if (queue?.length === 0) this._drop(owner, index);
        return item;
      }
    }
    return undefined;
  }

  /** Removes queued items matching `predicate` (cancelled before they started). */
  remove(predicate: (item: T) => boolean): number {
    let removed = 0;
    for (const [owner, queue] of [...this._queues]) {
      const kept = queue.filter((item) => !predicate(item));
      removed += queue.length - kept.length;
      if (kept.length === 0) this._drop(owner, this._order.indexOf(owner));
      else this._queues.set(owner, kept);
    }
    this._size -= removed;
    return removed;
  }

  private _drop(owner: string, index: number): void {
    this._queues.delete(owner);
    this._order.splice(index, 1);
    if (this._next > index) this._next -= 1;
    if (this._order.length === 0 || this._next >= this._order.length) this._next = 0;
  }
}
