/**
 * Blob keys are relative POSIX paths (`images/2026/11/<id>.jpg`). They become file paths in the local
 * store, so anything that could escape the root or be read differently by another OS is refused.
 * @module
 */

/** Basename prefix of in-flight writes; such names are never valid keys and never listed. */
export const TEMP_PREFIX = '.tmp-';

export function assertValidKey(key: string): void {
  const problem = keyProblem(key, false);
  if (problem !== undefined) {
    throw new Error(`Invalid blob key ${JSON.stringify(key)}: ${problem}.`);
  }
}

/** A listing prefix is a key, a folder ending in `/`, or empty for everything. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const problem = keyProblem(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix, true);
  if (problem !== undefined) {
    throw new Error(`Invalid blob prefix ${JSON.stringify(prefix)}: ${problem}.`);
  }
}

function keyProblem(key: string, isPrefix: boolean): string | undefined {
  if (key === '') return 'it is empty';
  if (key.includes('\0')) return 'it contains a NUL character';
  if (key.includes('\\')) return 'it contains a backslash (use /)';
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) return 'it is an absolute path';
  const segments = key.split('/');
  if (segments.some((s) => s === '..')) return 'it contains ..';
  if (segments.some((s) => s === '' || s === '.')) return 'it has an empty or . segment';
  if (!isPrefix && segments.at(-1)?.startsWith(TEMP_PREFIX)) return `its file name starts with ${TEMP_PREFIX}`;
  return undefined;
}
