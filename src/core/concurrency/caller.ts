/**
 * Whose work is running, carried through async calls (AsyncLocalStorage), so a limit deep down (the
 * Gemini key's adaptive limit) can be fair between people without every port passing an owner along.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<string>();

/** Runs `fn` as work of `ownerId`. */
export function runAsCaller<T>(ownerId: string, fn: () => T): T {
  return storage.run(ownerId, fn);
}

/** The owner of the work running now, or '' outside any. */
export function currentCaller(): string {
  return storage.getStore() ?? '';
}
