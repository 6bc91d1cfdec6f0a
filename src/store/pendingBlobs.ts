/**
 * The start-up half of the blob-write journal (core/pendingBlobs): for each `pending/` marker older than
 * the grace period, the blob it names is removed unless a row points at it (an upload, an image, its
 * conversation history, or a pipeline's job), with any temp file a killed write left beside it; then the
 * marker goes. Only markers are listed, so the work is proportional to the writes a crash interrupted.
 * @module
 */
import type { Kysely } from 'kysely';
import { PENDING_PREFIX } from '../core/pendingBlobs.js';
import type { BlobStore } from '../core/ports.js';
import type { DB } from './schema.js';

export interface PendingBlobsReport {
  /** Blobs no row pointed at, removed. */
  removedOrphans: number;
  /** Markers of writes that had completed (their row exists), cleared. */
  clearedMarkers: number;
  removedTempFiles: number;
}

export async function reconcilePendingBlobs(options: {
  db: Kysely<DB>;
  blobs: BlobStore;
  /** Markers younger than this are writes still in flight (this or another instance). Default one minute. */
  graceMs?: number;
  now?: Date;
}): Promise<PendingBlobsReport> {
  const { db, blobs, graceMs = 60_000, now = new Date() } = options;
  const cutoff = new Date(now.getTime() - graceMs);
  const report: PendingBlobsReport = { removedOrphans: 0, clearedMarkers: 0, removedTempFiles: 0 };
  // A marker whose own write was killed is a temp file in pending/: the write it announced never began,
  // or its first marker is still there.
  if (hasTempFiles(blobs)) report.removedTempFiles += await blobs.removeStaleTempFiles(PENDING_PREFIX, cutoff);
  const markers: string[] = [];
  for await (const { key, modifiedAt } of blobs.list(PENDING_PREFIX)) if (modifiedAt <= cutoff) markers.push(key);
  for (const marker of markers) {
    const key = (await blobs.get(marker).catch(() => Buffer.alloc(0))).toString();
    if (/^(uploads|refs)\//.test(key) && !(await isReferenced(db, key))) {
      await blobs.delete(key);
      report.removedOrphans += 1;
      if (hasTempFiles(blobs)) {
        report.removedTempFiles += await blobs.removeStaleTempFiles(key.slice(0, key.lastIndexOf('/') + 1), cutoff);
      }
    } else {
      report.clearedMarkers += 1;
    }
    await blobs.delete(marker);
  }
  return report;
}

/** Whether any row points at the blob. `refs/` keys sit inside JSON (histories, jobs): a LIKE, run only per marker. */
async function isReferenced(db: Kysely<DB>, key: string): Promise<boolean> {
  if (key.startsWith('uploads/')) {
    return (await db.selectFrom('uploads').select('id').where('blob_key', '=', key).executeTakeFirst()) !== undefined;
  }
  const within = `%${key}%`;
  const image = await db
    .selectFrom('images')
    .select('id')
    .where((eb) => eb.or([eb('blob_key', '=', key), eb('history', 'like', within)]))
    .executeTakeFirst();
  if (image) return true;
  return (
    (await db.selectFrom('pipelines').select('id').where('input', 'like', within).executeTakeFirst()) !== undefined
  );
}

function hasTempFiles(
  blobs: BlobStore,
): blobs is BlobStore & { removeStaleTempFiles(prefix: string, olderThan: Date): Promise<number> } {
  return typeof (blobs as { removeStaleTempFiles?: unknown }).removeStaleTempFiles === 'function';
}
