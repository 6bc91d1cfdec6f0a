/**
 * A journal of blob writes whose row is not written yet, kept in the blob store itself (so it works on a
 * local folder and on S3 alike, shared by every instance): `pending/<hash of key>`, holding the key.
 * A writer marks the key before its blob goes in, marks it again once the blob is complete (so the
 * marker's age counts from then), and clears it once the row that points at the blob exists. A crash in
 * between leaves the marker, and the next start looks at these markers only (store/pendingBlobs.ts): the
 * blob is removed if nothing points at it. Start-up work is then proportional to the writes a crash
 * interrupted, not to the size of the store.
 *
 * Used for uploads (`uploads/`) and reference bytes (`refs/`); images (`images/`) have their own sweep.
 * @module
 */
import { createHash } from 'node:crypto';
import type { BlobStore } from './ports.js';

export const PENDING_PREFIX = 'pending/';

export function pendingMarkerKey(key: string): string {
  return `${PENDING_PREFIX}${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** Notes that `key` is being written and no row points at it yet. */
export async function markPending(blobs: BlobStore, key: string): Promise<void> {
  await blobs.put(pendingMarkerKey(key), Buffer.from(key));
}

/** The row pointing at `key` exists (or the blob is gone): forget the note. */
export async function clearPending(blobs: BlobStore, key: string): Promise<void> {
  await blobs.delete(pendingMarkerKey(key));
}

/** Puts a blob between two marks; the caller clears the mark once its row is written. */
export async function putTracked(blobs: BlobStore, key: string, data: Buffer): Promise<void> {
  await markPending(blobs, key);
  await blobs.put(key, data);
  // Again: the grace period of the start-up sweep counts from the complete blob, not from its first byte.
  await markPending(blobs, key);
}
