/**
 * Maintenance (the first seed's `maintenance`): what retention removes, what is forgotten and swept, as a
 * plan first (the dry run's report), then applied item by item, so that a run removes exactly what its
 * report listed (each item re-checked: an image still there, a blob still unreferenced).
 *
 * - images older than the retention period, or beyond a person's share of GB (oldest first), with their
 *   rows, files and stored thumbnails (thumbs/<id>.webp); never the ledger, whose rows keep the image id as
 *   a plain value;
 * - Gemini Files API copies past their expiry, forgotten (Gemini deleted them after 48 h);
 * - orphan blobs (no row, older than the grace period) under images/, uploads/ and thumbs/ (a thumbnail
 *   made in the background for an image deleted meanwhile);
 * - the database vacuumed (SQLite VACUUM, PostgreSQL VACUUM ANALYZE of the studio's tables).
 * @module
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { BlobStore, StorageUse } from '../core/ports.js';
import { thumbnailKey } from '../core/thumbnails.js';
import type { DB } from './schema.js';

export interface RetentionPolicy {
  /** Days an image is kept (undefined: forever). */
  days?: number;
  /** GB of images kept per person (undefined: no cap). */
  gb?: number;
}

export interface MaintenancePlan {
  at: string;
  images: Array<{
    id: string;
    ownerId: string;
    bytes: number;
    createdAt: string;
    blobKey: string;
    reason: 'age' | 'size';
  }>;
  geminiCopies: Array<{ uploadId: string; name: string; expiredAt: string }>;
  orphanBlobs: string[];
  vacuum: boolean;
}

export interface MaintenanceResult {
  removedImages: string[];
  freedBytes: number;
  forgottenGeminiCopies: string[];
  removedOrphanBlobs: string[];
  vacuumed: boolean;
}

export type { StorageUse };

const PREFIXES = ['images/', 'uploads/', 'thumbs/'] as const;

export async function planMaintenance(
  db: Kysely<DB>,
  blobs: BlobStore,
  options: { policy: RetentionPolicy; now?: Date; orphanGraceMs?: number; vacuum?: boolean },
): Promise<MaintenancePlan> {
  const now = options.now ?? new Date();
  const people = await db.selectFrom('users').select(['id', 'retention_days', 'retention_gb']).execute();
  const own = new Map(people.map((p) => [p.id, p]));
  // Listed before the rows are read, so that a row inserted meanwhile protects its (older) blob.
  const cutoff = now.getTime() - (options.orphanGraceMs ?? 3_600_000);
  const files: string[] = [];
  for (const prefix of PREFIXES) {
    for await (const { key, modifiedAt } of blobs.list(prefix)) if (modifiedAt.getTime() <= cutoff) files.push(key);
  }
  const rows = await db
    .selectFrom('images')
    .select(['id', 'owner_id', 'bytes', 'created_at', 'blob_key'])
    .orderBy('owner_id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const images: MaintenancePlan['images'] = [];
  const kept = new Map<string, number>();
  for (const row of rows) {
    const person = own.get(row.owner_id);
    const days = person?.retention_days ?? options.policy.days;
    const gb = person?.retention_gb ?? options.policy.gb;
    const bytes = Number(row.bytes);
    const total = (kept.get(row.owner_id) ?? 0) + bytes;
    const old = days !== undefined && days !== null && Date.parse(row.created_at) < now.getTime() - days * 86_400_000;
    const over = gb !== undefined && gb !== null && total > gb * 1e9;
    if (old || over) {
      images.push({
        id: row.id,
        ownerId: row.owner_id,
        bytes,
        createdAt: row.created_at,
        blobKey: row.blob_key,
        reason: old ? 'age' : 'size',
      });
    } else {
      kept.set(row.owner_id, total);
    }
  }
  const referenced = new Set([
    ...rows.map((r) => r.blob_key),
    // Thumbnails are stored beside their image (issue 14) and go with it.
    ...rows.map((r) => thumbnailKey(r.id)),
    ...(await db.selectFrom('uploads').select('blob_key').execute()).map((r) => r.blob_key),
  ]);
  const copies = await db
    .selectFrom('uploads')
    .select(['id', 'gemini_name', 'gemini_expires_at'])
    .where('gemini_name', 'is not', null)
    .where('gemini_expires_at', '<', now.toISOString())
    .orderBy('id')
    .execute();
  return {
    at: now.toISOString(),
    images,
    geminiCopies: copies.map((c) => ({
      uploadId: c.id,
      name: c.gemini_name as string,
      expiredAt: c.gemini_expires_at as string,
    })),
    orphanBlobs: files.filter((key) => !referenced.has(key)).sort(),
    vacuum: options.vacuum ?? true,
  };
}

/** Carries out `plan`: exactly its items, each re-checked first. */
export async function applyMaintenance(
  db: Kysely<DB>,
  blobs: BlobStore,
  plan: MaintenancePlan,
): Promise<MaintenanceResult> {
  const result: MaintenanceResult = {
    removedImages: [],
    freedBytes: 0,
    forgottenGeminiCopies: [],
    removedOrphanBlobs: [],
    vacuumed: false,
  };
  for (const image of plan.images) {
    // The row first, then the file: a crash in between leaves an orphan blob, swept next time.
    const deleted = await db.deleteFrom('images').where('id', '=', image.id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) continue;
    await blobs.delete(image.blobKey);
    await blobs.delete(thumbnailKey(image.id)).catch(() => {});
    result.removedImages.push(image.id);
    result.freedBytes += image.bytes;
  }
  for (const copy of plan.geminiCopies) {
    const updated = await db
      .updateTable('uploads')
      .set({ gemini_name: null, gemini_uri: null, gemini_expires_at: null })
      .where('id', '=', copy.uploadId)
      .where('gemini_name', '=', copy.name)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) result.forgottenGeminiCopies.push(copy.uploadId);
  }
  for (const key of plan.orphanBlobs) {
    const [image, upload] = await Promise.all([
      db
        .selectFrom('images')
        .select('id')
        .where((eb) => eb.or([eb('blob_key', '=', key), eb(sql<string>`'thumbs/' || id || '.webp'`, '=', key)]))
        .executeTakeFirst(),
      db.selectFrom('uploads').select('id').where('blob_key', '=', key).executeTakeFirst(),
    ]);
    if (image || upload || !(await blobs.exists(key))) continue;
    await blobs.delete(key);
    result.removedOrphanBlobs.push(key);
  }
  if (plan.vacuum) {
    await vacuum(db);
    result.vacuumed = true;
  }
  return result;
}

/** Each person's images and bytes (for the dashboard), most first. */
export async function storageUse(db: Kysely<DB>): Promise<StorageUse[]> {
  const rows = await db
    .selectFrom('users')
    .leftJoin('images', 'images.owner_id', 'users.id')
    .select((eb) => [
      'users.id as id',
      'users.email as email',
      'users.retention_days as retention_days',
      'users.retention_gb as retention_gb',
      eb.fn.count<string | number>('images.id').as('images'),
      eb.fn.coalesce(eb.fn.sum<string | number>('images.bytes'), sql<number>`0`).as('bytes'),
    ])
    .groupBy(['users.id', 'users.email', 'users.retention_days', 'users.retention_gb'])
    .execute();
  return rows
    .map((r) => ({
      ownerId: r.id,
      email: r.email,
      images: Number(r.images),
      bytes: Number(r.bytes),
      retentionDays: r.retention_days === null || r.retention_days === undefined ? null : Number(r.retention_days),
      retentionGb: r.retention_gb === null || r.retention_gb === undefined ? null : Number(r.retention_gb),
    }))
    .filter((u) => u.images > 0 || u.retentionDays !== null || u.retentionGb !== null)
    .sort((a, b) => b.bytes - a.bytes);
}

/** Sets (or, with null, clears) a person's own retention. */
export async function setUserRetention(
  db: Kysely<DB>,
  person: string,
  change: { days?: number | null; gb?: number | null },
): Promise<string | undefined> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', person), eb('email', '=', person.toLowerCase())]))
    .executeTakeFirst();
  if (!user) return undefined;
  await db
    .updateTable('users')
    .set({
      ...(change.days !== undefined ? { retention_days: change.days } : {}),
      ...(change.gb !== undefined ? { retention_gb: change.gb } : {}),
    })
    .where('id', '=', user.id)
    .execute();
  return user.id;
}

async function vacuum(db: Kysely<DB>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    for (const table of ['images', 'uploads', 'pipelines', 'concepts', 'users']) {
      await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
    }
  } else {
    await sql`vacuum`.execute(db);
  }
}
