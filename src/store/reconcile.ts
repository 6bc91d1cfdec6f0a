/**
 * Restores "no file without its row and no row without its file" after a crash.
 *
 * Write-order contract for every writer of images:
 * - create: put the blob first (atomically), then insert the row. A crash in between leaves an orphan
 *   blob, which this removes once it is older than the grace period;
 * - delete: delete the row first, then the blob. A crash in between again leaves only an orphan blob.
 * So a row never points at a missing file unless something outside the studio removed it.
 *
 * The grace period protects writers running concurrently with this sweep: their blob exists for a
 * moment before their row, and young orphans are left alone.
 * @module
 */

import type { BlobStore, ImageRepository } from '../core/ports.js';

export interface ReconcileOptions {
  repo: ImageRepository;
  blobs: BlobStore;
  /** Only blobs and rows whose key starts with this are considered. Default `images/`. */
  prefix?: string;
  /** Orphans and temp files younger than this are left alone. Default one minute. */
  graceMs?: number;
  /** The current time (tests pass their own). */
  now?: Date;
}

export interface ReconcileReport {
  removedTempFiles: number;
  removedOrphanBlobs: number;
  removedRowsWithoutBlob: number;
}

/** Where the time of the last full sweep is kept (outside `images/`, in the same store). */
export const RECONCILED_AT_KEY = 'state/reconciled-at';

/**
 * The sweep, at most once per `everyMs` (default a day) whatever the number of starts: over stdio every
 * client session starts a server, and a full walk of every file and row made start-up grow with the
 * library (issue 14). What a crash can leave is only orphan files (see the write-order contract above),
 * which waste space but break nothing, so a daily sweep is enough. Returns undefined when not due.
 */
export async function reconcileIfDue(
  options: ReconcileOptions & { everyMs?: number },
): Promise<ReconcileReport | undefined> {
  const { blobs, everyMs = 24 * 60 * 60 * 1000, now = new Date() } = options;
  const last = await blobs
    .get(RECONCILED_AT_KEY)
    .then((data) => Date.parse(data.toString('utf8')))
    .catch(() => Number.NaN);
  if (Number.isFinite(last) && now.getTime() - last < everyMs && last <= now.getTime()) return undefined;
  const report = await reconcileStorage(options);
  await blobs.put(RECONCILED_AT_KEY, Buffer.from(now.toISOString()));
  return report;
}

export async function reconcileStorage(options: ReconcileOptions): Promise<ReconcileReport> {
  const { repo, blobs, prefix = 'images/', graceMs = 60_000, now = new Date() } = options;
  const cutoff = new Date(now.getTime() - graceMs);

  const removedTempFiles = hasTempFiles(blobs) ? await blobs.removeStaleTempFiles(prefix, cutoff) : 0;

  // List the files before reading the rows: a row inserted meanwhile is then seen, so its (older)
  // blob is not mistaken for an orphan.
  const files = new Map<string, Date>();
  for await (const { key, modifiedAt } of blobs.list(prefix)) {
    files.set(key, modifiedAt);
  }
  const referenced = await repo.allBlobKeys();

  let removedOrphanBlobs = 0;
  for (const [key, modifiedAt] of files) {
    if (!referenced.has(key) && modifiedAt <= cutoff) {
      await blobs.delete(key);
      removedOrphanBlobs++;
    }
  }

  let removedRowsWithoutBlob = 0;
  for await (const image of allImages(repo)) {
    // Re-check on disk: a blob written after the listing above belongs to a live row.
    if (image.blobKey.startsWith(prefix) && !files.has(image.blobKey) && !(await blobs.exists(image.blobKey))) {
      if (await repo.delete(image.id)) removedRowsWithoutBlob++;
    }
  }

  return { removedTempFiles, removedOrphanBlobs, removedRowsWithoutBlob };
}

/** Every row, through the port's own paging (all owners). */
async function* allImages(repo: ImageRepository) {
  let cursor: string | undefined;
  do {
    const page = await repo.list({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    yield* page.images;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** Stores with a file system have in-flight temp files; object stores write atomically and have none. */
function hasTempFiles(
  blobs: BlobStore,
): blobs is BlobStore & { removeStaleTempFiles(prefix: string, olderThan: Date): Promise<number> } {
  return typeof (blobs as { removeStaleTempFiles?: unknown }).removeStaleTempFiles === 'function';
}
