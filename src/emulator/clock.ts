/**
 * A controllable clock: real time (or the caller's `now`) plus an offset that tests move forward to make
 * uploaded files expire without waiting 48 hours.
 * @module
 */

export interface Clock {
  now(): number;
  advance(ms: number): void;
}

export function createClock(base: () => number = Date.now): Clock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance: (ms: number) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock.advance needs a non-negative number, got ${ms}`);
      offset += ms;
    },
  };
}
